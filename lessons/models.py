"""Lesson pages and, in later issues, everything written in answer to them."""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from course.translations import default_language, is_untranslated_for, language_name, source_of
from course.validators import validate_fields, validate_single_line, validate_visible

from . import gating
from .blocks import LessonStreamBlock
from .formats import Visibility
from .panels import CoursePlanPanel
from .platforms import POST_PLATFORM_CHOICES
from .rendering import plain_excerpt


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
            [FieldPanel("estimated_minutes"), FieldPanel("release_offset"), CoursePlanPanel()],
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

    def clean(self):
        super().clean()
        validate_fields(self, {"title": [validate_visible, validate_single_line]})

    def serve(self, request, *args, **kwargs):
        """Only for the lesson's cohorts, once it has opened (lessons.gating)."""
        return gating.serve_lesson(request, self, lambda: super(LessonPage, self).serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["pager"] = self.pager()
        if is_untranslated_for(self):
            context["source_language"] = language_name(default_language())
        return context

    def pager(self):
        """The previous and next lesson of the course as its readers see it, with their numbers
        (course order); None for a course of one lesson. Lessons the reader may not open yet are
        skipped (`may_open`, set by lessons.gating for the member): a lesson added at the end
        with an early release never links to a later lesson that has not opened."""
        lessons = self.course.reader_lessons
        if len(lessons) < 2:
            return None
        index = next((i for i, lesson in enumerate(lessons) if lesson.pk == self.pk), None)
        pager = {"previous": None, "next": None}
        if index is None:
            return pager
        # reader_lessons stand in the source course's order, one for one; schedules know sources.
        sources = self.course.canonical.lessons
        may_open = getattr(self, "may_open", None) or (lambda lesson: True)
        before = [i for i in range(index - 1, -1, -1) if may_open(sources[i])]
        after = [i for i in range(index + 1, len(lessons)) if may_open(sources[i])]
        if before:
            pager.update(previous=lessons[before[0]], previous_number=before[0] + 1)
        if after:
            pager.update(next=lessons[after[0]], next_number=after[0] + 1)
        return pager

    @cached_property
    def canonical(self):
        """The lesson in the default language, which schedules, lesson dates and pieces of
        writing point to (itself unless this is a translation)."""
        return source_of(self)

    @cached_property
    def writing_assignments(self):
        """The lesson's writing assignments as (stable block id, value) pairs, in body order.

        Read from the body's raw data: iterating the body converts every block, images included
        (a query per lesson)."""
        block = self.body.stream_block.child_blocks["writing_assignment"]
        return [
            (raw["id"], block.to_python(raw["value"]))
            for raw in self.body.raw_data
            if raw["type"] == "writing_assignment"
        ]

    @cached_property
    def assignment_dates(self):
        """(stable block id, title, due offset in days) of each writing assignment, in body order:
        all a schedule asks. Read from the raw data one field at a time, as the block would
        convert it: converting whole assignments (their choice fields above all) was most of the
        time of a schedule, and every member page builds one."""
        block = self.body.stream_block.child_blocks["writing_assignment"]
        title, due = block.child_blocks["title"], block.child_blocks["due_offset_days"]

        def read(child, value):
            return child.to_python(value[child.name]) if child.name in value else child.get_default()

        return [
            (raw["id"], read(title, raw["value"]), read(due, raw["value"]))
            for raw in self.body.raw_data
            if raw["type"] == "writing_assignment"
        ]

    def assignment(self, block_id):
        for assignment_id, value in self.writing_assignments:
            if assignment_id == block_id:
                return value
        return None

    @cached_property
    def course(self):
        # Wagtail's routing hands each page its parent, so a served lesson asks nothing here.
        return self.get_parent().specific

    @cached_property
    def number(self):
        """1-based position in the course, by page-tree order (of the source: a translated course
        may lack lessons that are not translated yet)."""
        source = self.canonical
        if source.pk != self.pk:
            return source.number
        for number, lesson in enumerate(self.course.lessons, start=1):
            if lesson.pk == self.pk:
                return number
        # Not live (a preview): where it would stand among the live lessons.
        return LessonPage.objects.sibling_of(self).live().filter(path__lt=self.path).count() + 1

    @cached_property
    def table_of_contents(self):
        return [
            block.value["text"] for block in self.body if block.block_type == "heading" and block.value["level"] == "h2"
        ]


# --- writing: everything members write in answer to lessons ----------------------------------


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared")
    PUBLISHED = "published", _("Published")


# The assignment id of a piece tied to no assignment: "free-" and the caller's key.
FREE_PIECE_PREFIX = "free-"


class Submission(models.Model):
    """One member's piece of writing for one writing assignment (a lesson block's stable id)."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="submissions")
    # SET_NULL: deleting or moving a lesson page never deletes anyone's writing.
    lesson = models.ForeignKey(LessonPage, null=True, on_delete=models.SET_NULL, related_name="submissions")
    assignment_id = models.CharField(max_length=64)
    assignment_title = models.CharField(max_length=150, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    # The feed's teaser, plain text made from `body` whenever it is saved (writing.save_draft).
    excerpt = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, help_text="Number of the latest saved version.")
    state = models.CharField(max_length=10, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.CIRCLE)
    revision_count = models.PositiveIntegerField(default=0)
    ready_to_publish = models.BooleanField(default=False)
    # The facilitator's most recent feedback, kept by Feedback.save so that a piece's standing
    # (lessons.pieces) is a join, not a subquery per piece on every list of pieces.
    latest_feedback = models.ForeignKey(
        "Feedback", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    # What readers see: the version the author shared last (writing.share), not what they write
    # since; title and teaser copied then for the feed. None: shown as it is now.
    shared_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    shared_title = models.CharField(max_length=200, blank=True, editable=False)
    shared_excerpt = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("piece of writing")
        verbose_name_plural = _("pieces of writing")
        constraints = [
            models.UniqueConstraint(fields=["membership", "assignment_id"], name="one_submission_per_assignment")
        ]
        indexes = [
            models.Index(fields=["state", "shared_at"]),
            # The circle feed's order: newest first, read until a page is full.
            models.Index(fields=["-shared_at", "-id"], name="submission_feed_order"),
        ]

    def __str__(self):
        # Emails and the circle name a piece by this: its title, its assignment's, else its first words.
        return self.title or self.assignment_title or Truncator(self.excerpt).chars(60) or gettext("Untitled")

    def save(self, *args, **kwargs):
        # The teaser follows the text wherever it is saved through the ORM (writing.save_draft
        # updates both columns in its one conditional UPDATE).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.excerpt = plain_excerpt(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "excerpt"}
        super().save(*args, **kwargs)

    @property
    def readers_title(self):
        return self.shared_title if self.shared_version else self.title

    @property
    def readers_excerpt(self):
        return self.shared_excerpt if self.shared_version else self.excerpt

    @property
    def has_unshared_changes(self):
        """Saved versions after the one readers see."""
        return bool(self.shared_version) and self.version > self.shared_version

    def readers_text(self):
        """(title, body) as readers see them: the shared version's (one query), else as it is."""
        if self.shared_version:
            shared = self.versions.filter(number=self.shared_version).values_list("title", "body").first()
            if shared is not None:
                return shared
        return self.title, self.body

    @property
    def is_free(self):
        """A piece of the member's own, tied to no assignment (a reply to a weekly nudge, say)."""
        return self.assignment_id.startswith(FREE_PIECE_PREFIX)


class SubmissionVersion(models.Model):
    """Every save keeps a version; the unique number makes a lost update impossible."""

    class Kind(models.TextChoices):
        AUTOSAVE = "autosave", _("Autosave")
        SAVE = "save", _("Saved")
        RESTORE = "restore", _("Restored")
        CONFLICT = "conflict", _("Kept after a conflict")
        REPLY = "reply", _("From an email reply")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SAVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="unique_version_number")]

    def __str__(self):
        return f"{self.submission_id} v{self.number}"


class Response(models.Model):
    """A peer's reply to a shared piece: listening."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="responses")
    # SET_NULL: when an author deletes their account, the reply stays as "a former member".
    author = models.ForeignKey(
        "cohorts.Membership", null=True, on_delete=models.SET_NULL, related_name="responses_given"
    )
    body = models.TextField(_("response"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["author", "created_at"])]

    def __str__(self):
        return f"Response {self.pk} to {self.submission_id}"


class Feedback(models.Model):
    class Verdict(models.TextChoices):
        REVISE = "revise", _("Revise")
        READY = "ready", _("Ready to publish")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("feedback"))
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    version = models.PositiveIntegerField(help_text="The version the feedback is about.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_verdict_display()} on {self.submission_id}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # created_at is set on insert: the newest feedback is the one just added
            Submission.objects.filter(pk=self.submission_id).update(latest_feedback=self)


def renew_latest_feedback(submission_ids):
    """Point these pieces at their newest feedback again (after feedback was deleted, or rows
    were written in bulk without Feedback.save)."""
    newest = Feedback.objects.filter(submission=models.OuterRef("pk")).order_by("-created_at", "-pk")
    Submission.objects.filter(pk__in=submission_ids).update(latest_feedback=models.Subquery(newest.values("pk")[:1]))


class PeerReview(models.Model):
    """A circle member asked to respond to a shared piece (round-robin)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="peer_reviews")
    reviewer = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="peer_reviews")
    assigned_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "reviewer"], name="one_review_per_reader")]

    def __str__(self):
        return f"Review of {self.submission_id} by {self.reviewer_id}"


class ReadMarker(models.Model):
    """When a member last read a piece (for unread markers in the circle feed)."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="read_markers")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "submission"], name="one_read_marker")]

    def __str__(self):
        return f"{self.membership_id} read {self.submission_id}"


class PostLog(models.Model):
    """A public post a member made (inside or outside an assignment); feeds the weekly streak."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="posts")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    url = models.URLField(_("public URL"), max_length=500)
    platform = models.CharField(_("platform"), max_length=10, choices=POST_PLATFORM_CHOICES)
    posted_on = models.DateField(_("posted on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_on", "-created_at"]
        indexes = [models.Index(fields=["membership", "posted_on"])]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.url}"


# --- practice: the member's own habit, yearly self-check and relationships -------------------


class Pause(models.Model):
    """A stretch of days a member paused (holiday, parental leave): those weeks neither break nor
    count towards the writing streak. `Membership.paused_until` only holds the current pause."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="pauses")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("pause")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="pause_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.membership_id} paused {self.starts_on}–{self.ends_on}"


class SelfCheck(models.Model):
    """Once a year: "Who am I, what do I say, to whom?" in the member's own words."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="self_checks")
    year = models.PositiveSmallIntegerField(_("year"))
    answer = models.TextField(_("answer"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("self-check")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["membership", "year"], name="one_self_check_per_year")]

    def __str__(self):
        return f"Self-check {self.year} of {self.membership_id}"


class Relationship(models.Model):
    """A person in the member's network they want to help (Working Out Loud's relationship list)."""

    membership = models.ForeignKey("cohorts.Membership", on_delete=models.CASCADE, related_name="relationships")
    name = models.CharField(_("name"), max_length=150)
    note = models.TextField(_("note"), blank=True, help_text=_("What matters to them; how you might help."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relationship")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Contribution(models.Model):
    """Something the member gave to a person in their network: a comment, a share, an introduction."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        SHARE = "share", _("Share")
        INTRODUCTION = "introduction", _("Introduction")
        OTHER = "other", _("Other")

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMMENT)
    note = models.TextField(_("note"), blank=True)
    post = models.ForeignKey(
        PostLog,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
        verbose_name=_("related post"),
    )
    made_on = models.DateField(_("made on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        ordering = ["-made_on", "-pk"]
        indexes = [models.Index(fields=["relationship", "made_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.relationship_id} on {self.made_on}"
