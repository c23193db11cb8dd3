"""Rendering emails: templates/emails/<name>_subject.txt, <name>.txt and <name>.html, always in
the recipient's language.

Subjects and text parts are plain text, rendered with autoescape off here for every email (a
name like `Q&A "Day"` stays as written); only the HTML part is escaped.

Every email has one job: `action_url` and `action_label` in its context are its one primary
button (templates/emails/_button.html) and, in the text part, a URL on a line of its own
(templates/emails/_closing.txt). A message that carries several emails lists the others under
`also`, as plain links, and its subject says how many more it holds.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


def render_text(template_name, context):
    """A plain-text template, rendered without HTML escaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _subject(name, context):
    return " ".join(render_text(f"emails/{name}_subject.txt", context).split())


def render_subject(name, context, language):
    """One email's subject line, e.g. to list it inside another message."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        return _subject(name, context)


def render(name, context, language):
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = _subject(name, context)
        if context.get("also"):
            subject = _subject("_combined", {"subject": subject, "more": len(context["also"])})
        text = render_text(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def build_message(name, context, *, to, language, headers=None, connection=None, envelope_from=None):
    """`envelope_from`: the SMTP return path (where bounces go) when it is not the From address."""
    subject, text, html = render(name, context, language)
    headers = dict(headers or {})
    if envelope_from:
        headers.setdefault("From", settings.DEFAULT_FROM_EMAIL)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=envelope_from or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
