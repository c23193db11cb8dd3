"""Cohorts, circles, memberships, invitations and per-cohort lesson dates."""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from course.models import Cadence, Language, validate_time_zone
from course.timezones import AVAILABLE_ZONES, ZoneSelect, zone_named
from course.validators import validate_fields, validate_single_line, validate_visible

INVITATION_SALT = "klartext.invitation"
INVITATION_DAYS = 14


class CohortState(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    RUNNING = "running", _("Running")
    ALUMNI = "alumni", _("Alumni")


class CohortQuerySet(models.QuerySet):
    def state(self, state, today=None):
        """Filter by the derived state; `today` is a date (the caller's notion of today)."""
        today = today or timezone.localdate()
        if state == CohortState.UPCOMING:
            return self.filter(start_date__gt=today)
        if state == CohortState.ALUMNI:
            return self.filter(end_date__lt=today)
        return self.filter(start_date__lte=today, end_date__gte=today)


class Cohort(ClusterableModel):
    """One group going through a course together, e.g. a company's leadership team."""

    course = models.ForeignKey(
        "course.CoursePage", on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    start_date = models.DateField(_("start date"), help_text=_("The first lesson opens on this day."))
    end_date = models.DateField(_("end date"), help_text=_("After this day the cohort's members are alumni."))
    cadence_days = models.PositiveSmallIntegerField(_("cadence"), choices=Cadence.choices, default=Cadence.WEEKLY)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    release_hour = models.PositiveSmallIntegerField(
        _("lessons open at (hour)"),
        default=8,
        choices=[(hour, f"{hour:02d}:00") for hour in range(7, 13)],
        help_text=_("Local time in the cohort's time zone."),
    )
    hashtag = models.CharField(
        _("event hashtag"), max_length=60, blank=True, help_text=_("Without the #, e.g. LeadOpenly")
    )
    language = models.CharField(_("default language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("organisation")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("cadence_days"), FieldPanel("release_hour")]),
                FieldPanel("time_zone", widget=ZoneSelect),
            ],
            heading=_("Schedule"),
        ),
        FieldRowPanel([FieldPanel("language"), FieldPanel("hashtag")]),
        InlinePanel(
            "lesson_dates",
            heading=_("Lesson dates"),
            label=_("Lesson date"),
            help_text=_("Move a lesson to another day for this cohort only."),
        ),
        InlinePanel("events", heading=_("Events"), label=_("Event")),
    ]

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="cohort_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    def clean(self):
        super().clean()
        validate_fields(
            self,
            {
                "name": [validate_visible, validate_single_line],
                "organisation": [validate_single_line],
                "hashtag": [validate_single_line],
            },
        )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The cohort cannot end before it starts.")})
        if self.course_id:
            # A cohort takes the source course (chosen in any language): its schedule, lesson
            # dates and pieces of writing are keyed by the source lessons.
            self.course = self.course.canonical

    def local_today(self, at=None):
        return timezone.localtime(at or timezone.now(), self.zone).date()

    @property
    def zone(self):
        return zone_named(self.time_zone)

    def state_at(self, at=None):
        today = self.local_today(at)
        if today < self.start_date:
            return CohortState.UPCOMING
        if today > self.end_date:
            return CohortState.ALUMNI
        return CohortState.RUNNING

    @property
    def state(self):
        return self.state_at()

    def get_state_display(self):
        return CohortState(self.state).label


class LessonDate(models.Model):
    """A per-cohort override of the day a lesson opens."""

    cohort = ParentalKey(Cohort, on_delete=models.CASCADE, related_name="lesson_dates")
    lesson = models.ForeignKey(
        "lessons.LessonPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson")
    )
    opens_on = models.DateField(_("opens on"))

    panels = [FieldRowPanel([FieldPanel("lesson"), FieldPanel("opens_on")])]

    class Meta:
        verbose_name = _("lesson date")
        constraints = [models.UniqueConstraint(fields=["cohort", "lesson"], name="one_date_per_lesson_and_cohort")]

    def __str__(self):
        return f"{self.lesson} – {self.opens_on}"

    def clean(self):
        super().clean()
        if self.lesson_id:
            self.lesson = self.lesson.canonical  # the schedule knows the source lessons only


class Circle(models.Model):
    """A small group (3–6) inside a cohort that reads and answers each other's writing."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("circle")
        ordering = ["cohort", "name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "name"], name="unique_circle_name")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    FACILITATOR = "facilitator", _("Facilitator")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    OFF = "off", _("Off")


def new_nonce():
    return secrets.token_hex(16)  # 32 hex characters, the column's width


def new_calendar_token():
    return secrets.token_urlsafe(24)


class MembershipQuerySet(models.QuerySet):
    def members(self):
        return self.filter(role=Role.MEMBER)

    def facilitators(self):
        return self.filter(role=Role.FACILITATOR)


class Membership(models.Model):
    """A person in a cohort, as member or facilitator, with their nudge preferences."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    circle = models.ForeignKey(
        Circle,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        verbose_name=_("circle"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    # Nudge preferences (used by the nudges issue; stored from the start).
    nudge_weekday = models.PositiveSmallIntegerField(_("nudge day"), choices=Weekday.choices, default=Weekday.MONDAY)
    nudge_hour = models.PositiveSmallIntegerField(
        _("nudge hour"), default=9, choices=[(hour, f"{hour:02d}:00") for hour in range(7, 20)]
    )
    nudge_frequency = models.CharField(
        _("nudge frequency after the course"),
        max_length=8,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        ordering = ["cohort", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "cohort"], name="one_membership_per_cohort"),
        ]
        indexes = [
            models.Index(fields=["cohort", "role"]),
            # The weekly nudge planner selects by (weekday, hour, zone).
            models.Index(fields=["nudge_weekday", "nudge_hour", "time_zone"], name="membership_nudge_slot"),
        ]

    def __str__(self):
        return f"{self.user} in {self.cohort}"

    def save(self, *args, **kwargs):
        # Language and time zone start as the person's own; the member may change them later.
        if not self.language:
            self.language = self.user.language
        if not self.time_zone:
            self.time_zone = self.user.time_zone
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.circle_id and self.cohort_id and self.circle.cohort_id != self.cohort_id:
            raise ValidationError({"circle": _("The circle belongs to another cohort.")})

    @property
    def is_facilitator(self):
        return self.role == Role.FACILITATOR

    def local_today(self, at=None):
        return timezone.localtime(at or timezone.now(), self.zone).date()

    @property
    def zone(self):
        """The member's own time zone, or the cohort's while the member has none (or an unknown one)."""
        if self.time_zone in AVAILABLE_ZONES:
            return zone_named(self.time_zone)
        return self.cohort.zone

    def answers_for(self, due_at):
        """Whether a deadline is this member's to miss: it fell due after they joined. Who joins
        in week three is not late with weeks one and two (member home, dashboard)."""
        return self.joined_at < due_at

    def reset_calendar_token(self):
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An invitation to join a cohort, sent by email with a signed link."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A new nonce invalidates every link sent before (used when a link is re-issued).
    nonce = models.CharField(max_length=32, default=new_nonce)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]
        constraints = [
            # One invitation per person and cohort: re-inviting refreshes it, never duplicates.
            models.UniqueConstraint(Lower("email"), "cohort", name="one_invitation_per_email_and_cohort")
        ]

    def __str__(self):
        return f"{self.email} → {self.cohort}"

    @staticmethod
    def default_expiry(now=None):
        return (now or timezone.now()) + datetime.timedelta(days=INVITATION_DAYS)

    @property
    def token(self):
        return signing.dumps({"i": self.pk, "n": self.nonce}, salt=INVITATION_SALT, compress=True)

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_accepted(self):
        return self.accepted_at is not None

    @cached_property
    def accept_path(self):
        return reverse("cohorts:accept_invitation", args=[self.token])


class CohortEvent(models.Model):
    """A meetup or an event the cohort attends (a Work Out Loud meetup, a conference) with its
    hashtag: members get a calendar invitation, answer going / not going, and the event kit nudges
    before, on the day and after.

    `sequence` counts the changes members were told about (iCalendar SEQUENCE): moving the event or
    changing its place raises it, and cancelling raises it once more."""

    cohort = ParentalKey(Cohort, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("name"), max_length=120)
    date = models.DateField(_("date"))
    start_time = models.TimeField(
        _("starts at"), null=True, blank=True, help_text=_("Local time in the cohort's time zone; empty: all day.")
    )
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    hashtag = models.CharField(_("hashtag"), max_length=60, help_text=_("Without the #"))
    agenda = models.TextField(_("agenda"), max_length=2000, blank=True)
    cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Tick to cancel: members get a cancellation for their calendar.")
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("hashtag")]),
        FieldRowPanel([FieldPanel("date"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldRowPanel([FieldPanel("place"), FieldPanel("video_url")]),
        FieldPanel("agenda"),
        FieldPanel("cancelled"),
    ]

    # A change to any of these is news for the members' calendars.
    SCHEDULE_FIELDS = ("name", "date", "start_time", "end_time", "place", "video_url", "cancelled")

    class Meta:
        verbose_name = _("event")
        ordering = ["date", "start_time"]

    def __str__(self):
        return f"{self.name} ({self.date})"

    def save(self, *args, **kwargs):
        if self.pk:
            before = CohortEvent.objects.filter(pk=self.pk).values(*self.SCHEDULE_FIELDS, "sequence").first()
            if before and any(before[name] != getattr(self, name) for name in self.SCHEDULE_FIELDS):
                self.sequence = before["sequence"] + 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "sequence"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        validate_fields(
            self,
            {
                "name": [validate_visible, validate_single_line],
                "hashtag": [validate_single_line],
                "place": [validate_single_line],
            },
        )
        if self.hashtag:
            self.hashtag = self.hashtag.strip().lstrip("#")
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError({"end_time": _("Give both a start and an end time, or neither (all day).")})
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The event must end after it starts.")})

    @property
    def all_day(self):
        return self.start_time is None

    @property
    def starts_at(self):
        """The local start (aware), or the start of the day for an all-day event."""
        return datetime.datetime.combine(self.date, self.start_time or datetime.time(0), tzinfo=self.cohort.zone)

    @property
    def ends_at(self):
        if self.end_time is None:
            return self.starts_at + datetime.timedelta(days=1)
        return datetime.datetime.combine(self.date, self.end_time, tzinfo=self.cohort.zone)

    def is_over(self, at=None):
        return (at or timezone.now()) >= self.ends_at


class EventAnswer(models.Model):
    """A member's "going / not going" for an event, and whether the facilitator saw them there."""

    event = models.ForeignKey(CohortEvent, on_delete=models.CASCADE, related_name="answers")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="event_answers")
    going = models.BooleanField(_("going"), null=True, blank=True)
    attended = models.BooleanField(_("came"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer to an event")
        constraints = [models.UniqueConstraint(fields=["event", "membership"], name="one_answer_per_event_and_member")]

    def __str__(self):
        return f"{self.membership_id} → {self.event_id}: {self.going}"
