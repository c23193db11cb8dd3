from django import template

from lessons.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render a member's Markdown safely: {{ piece.body|markdown }}."""
    return render_markdown(text)
