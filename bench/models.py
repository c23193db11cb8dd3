"""B3's baseline: a plain Wagtail page with a lesson's body and none of the cohort logic.

Installed only by bench.settings, so its migration runs only in the bench's own database."""

from wagtail.fields import StreamField
from wagtail.models import Page

from lessons.blocks import LessonStreamBlock


class BaselinePage(Page):
    body = StreamField(LessonStreamBlock())

    template = "bench/baseline_page.html"
