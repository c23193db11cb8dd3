"""Lesson pages and, in later issues, everything written in answer to them."""

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import LessonStreamBlock


class LessonPage(Page):
    summary = models.TextField(_("summary"), max_length=500)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=20)
    release_offset = models.PositiveSmallIntegerField(
        _("release offset"),
        default=0,
        help_text=_(
            "When this lesson opens, in cadence steps after the cohort starts "
            "(0 = on the first day, 1 = one step later, …)."
        ),
    )
    body = StreamField(LessonStreamBlock(), verbose_name=_("body"))

    parent_page_types = ["course.CoursePage"]
    subpage_types = []

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("release_offset")],
            heading=_("Schedule"),
        ),
        FieldPanel("body"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("lesson page")

    @cached_property
    def writing_assignments(self):
        """The lesson's writing assignments as (stable block id, value) pairs, in body order."""
        return [(block.id, block.value) for block in self.body if block.block_type == "writing_assignment"]

    def assignment(self, block_id):
        for assignment_id, value in self.writing_assignments:
            if assignment_id == block_id:
                return value
        return None

    @cached_property
    def course(self):
        return self.get_parent().specific

    @cached_property
    def number(self):
        """1-based position in the course, by page-tree order."""
        return LessonPage.objects.sibling_of(self).live().filter(path__lt=self.path).count() + 1

    @cached_property
    def table_of_contents(self):
        return [
            block.value["text"]
            for block in self.body
            if block.block_type == "heading" and block.value["level"] == "h2"
        ]
