"""The one StreamBlock every lesson body uses, and its blocks.

Every block sets an icon, a template, a preview value and a description, so the consultant sees
what each block is for in the block picker and its preview.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .formats import DEFAULT_VISIBILITY_CHOICES, Visibility, WritingFormat
from .platforms import character_limit

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4", "blockquote"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section")), ("h3", _("Subsection"))],
        default="h2",
        label=_("Level"),
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")
        description = _("A section heading that also appears in the lesson's table of contents.")
        preview_value = {"text": "Who am I, and what do I have to say?", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")
        description = _("A quotation with the name of the person who said it.")
        preview_value = {
            "quote": "The single biggest problem in communication is the illusion that it has taken place.",
            "attribution": "William H. Whyte",
        }


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")
        description = _("An image with alternative text and an optional caption.")
        preview_value = {"image": None, "alt_text": "", "caption": "A caption for the image"}


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video URL"), help_text=_("A YouTube or Vimeo link."))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"
        label = _("Video")
        description = _("An embedded video from YouTube or Vimeo, with a caption.")
        preview_value = {
            "video": None,
            "caption": "A short talk on listening before talking",
        }


class TipBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120, default=_("Tip"))
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link"])

    class Meta:
        icon = "help"
        template = "blocks/tip_block.html"
        label = _("Tip")
        description = _("A short practical tip, set apart from the lesson text.")
        preview_value = {
            "title": "Tip",
            "text": "<p>Write down three topics that fill your working day.</p>",
        }


class ReflectionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    guidance = blocks.TextBlock(label=_("Guidance"), required=False)

    class Meta:
        icon = "pick"
        template = "blocks/reflection_block.html"
        label = _("Reflection")
        description = _("A question to think about before writing; nothing is submitted.")
        preview_value = {
            "question": "When did a post by someone senior last change your mind?",
            "guidance": "Think of one concrete example and what made it credible.",
        }


class WritingAssignmentValue(blocks.StructValue):
    @property
    def character_limit(self):
        return character_limit(self.get("format"))

    @property
    def format_label(self):
        return WritingFormat(self.get("format")).label

    @property
    def audience_label(self):
        return Visibility(self.get("default_audience")).label


class WritingAssignmentBlock(blocks.StructBlock):
    """A writing assignment. Submissions point at the block's stable stream id, never its index."""

    title = blocks.CharBlock(label=_("Title"), max_length=150)
    prompt = blocks.TextBlock(label=_("Prompt"), help_text=_("What should they write about?"))
    guidance = blocks.RichTextBlock(label=_("Guidance"), required=False, features=["bold", "italic", "link", "ul"])
    format = blocks.ChoiceBlock(choices=WritingFormat.choices, default=WritingFormat.LINKEDIN, label=_("Format"))
    suggested_length = blocks.IntegerBlock(
        label=_("Suggested length (words)"), required=False, min_value=10, max_value=5000
    )
    due_offset_days = blocks.IntegerBlock(
        label=_("Due (days after the lesson opens)"), default=5, min_value=0, max_value=60
    )
    default_audience = blocks.ChoiceBlock(
        choices=DEFAULT_VISIBILITY_CHOICES, default=Visibility.CIRCLE, label=_("Who sees it by default")
    )
    # Publishing belongs to the writer: by default they publish when they think it is ready.
    wait_for_ready = blocks.BooleanBlock(
        required=False,
        default=False,
        label=_("Publishing waits for the facilitator"),
        help_text=_("Members can publish only after the facilitator marks their piece “ready to publish”."),
    )

    class Meta:
        icon = "edit"
        template = "blocks/writing_assignment_block.html"
        label = _("Writing assignment")
        value_class = WritingAssignmentValue
        description = _("Something participants write, share with their circle or the facilitator, and may publish.")
        preview_value = {
            "title": "What fills your day",
            "prompt": "Pick one thing that took your attention this week and write about it "
            "for people who do not work with you.",
            "guidance": "<p>Be specific. One example beats three generalities.</p>",
            "format": WritingFormat.LINKEDIN,
            "suggested_length": 200,
            "due_offset_days": 5,
            "default_audience": Visibility.CIRCLE,
        }


class LessonStreamBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        label=_("Text"),
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="blocks/text_block.html",
        description=_("Paragraphs of lesson text."),
        preview_value="<p>Honest presence starts with knowing what you have to say.</p>",
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    video = VideoBlock()
    tip = TipBlock()
    reflection = ReflectionBlock()
    writing_assignment = WritingAssignmentBlock()

    class Meta:
        block_counts = {}
