"""A member's writing habit: what they did per ISO week, their streak, how much they listen.

The course values regular writing and listening, never reach: nothing here counts followers,
likes or views. Everything is computed in Python from a handful of queries (one per kind of
activity), so the practice page costs the same for five weeks of data as for fifty.

Rules
- Weeks are ISO weeks (Monday–Sunday) in the member's own time zone; the strip shows the last
  WEEKS of them, ending with the current week.
- A week is *active* when the member wrote (saved a version of a piece), published (logged a
  public post) or responded (answered a peer's piece) in it.
- A week is *paused* when it is not active and overlaps a recorded `Pause`, or when it is the
  current week and `Membership.paused_until` reaches today or later (the membership stores only
  the current pause; earlier pauses count only where a `Pause` row records them).
- Streak: consecutive weeks, ending with the current or the previous week, that are active. A
  paused week neither breaks nor counts. Up to GRACE_PER_QUARTER inactive weeks per calendar
  quarter (of the week's Monday) bridge a gap without counting; one more gap week resets it. The
  current week never breaks the streak while it is still going on. The streak looks back at most
  WEEKS weeks (`streak_capped` says when it may be longer).
- Listening ratio: responses given / pieces shared (shared with the circle or published), over
  the member's whole membership; we suggest "two or three" responses per piece.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from course.timezones import iso_week_key, week_start
from lessons.models import Contribution, Pause, PostLog, Response, Submission, SubmissionState, SubmissionVersion

WEEKS = 26
GRACE_PER_QUARTER = 2
# Put into a sentence on the practice page: translated like the sentence around it.
SUGGESTED_RESPONSES = _("two or three")


@dataclass
class Week:
    monday: datetime.date
    wrote: int = 0
    published: int = 0
    responded: int = 0
    contributions: int = 0
    paused: bool = False
    current: bool = False
    # Set by the streak rule: an inactive week bridged by a grace week, or part of the streak.
    grace: bool = False
    in_streak: bool = False

    @property
    def sunday(self):
        return self.monday + datetime.timedelta(days=6)

    @property
    def active(self):
        return bool(self.wrote or self.published or self.responded)

    @property
    def iso(self):
        year, week, _ = self.monday.isocalendar()
        return year, week

    @property
    def key(self):
        return iso_week_key(self.monday)

    @property
    def quarter(self):
        return self.monday.year, (self.monday.month - 1) // 3 + 1


@dataclass
class Habit:
    weeks: list
    streak: int
    streak_capped: bool
    grace_left: int  # grace weeks still available in the current quarter
    responses_given: int
    pieces_shared: int
    by_platform: list = field(default_factory=list)  # [(platform label, count)], most first
    today: datetime.date | None = None

    @property
    def listening_ratio(self):
        """Responses per shared piece, or None before the first piece is shared."""
        if not self.pieces_shared:
            return None
        return self.responses_given / self.pieces_shared

    @property
    def published_total(self):
        return sum(count for _label, count in self.by_platform)

    @property
    def active_weeks(self):
        return sum(1 for week in self.weeks if week.active)

    @property
    def paused_weeks(self):
        return sum(1 for week in self.weeks if week.paused and not week.active)


def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def habit_for(membership, now, *, weeks=WEEKS):
    """The member's habit at `now` (an aware datetime): weeks, streak, listening, platforms.

    Six queries whatever the amount of data: versions, posts, responses, shared pieces (a count),
    pauses and contributions."""

    zone = membership.zone
    today = now.astimezone(zone).date()
    first_monday = week_start(today) - datetime.timedelta(weeks=weeks - 1)
    since = datetime.datetime.combine(first_monday, datetime.time(0), tzinfo=zone)
    strip = [Week(monday=first_monday + datetime.timedelta(weeks=index)) for index in range(weeks)]
    strip[-1].current = True

    def week_at(day):
        index = (day - first_monday).days // 7
        return strip[index] if 0 <= index < weeks and day <= today else None

    versions = SubmissionVersion.objects.filter(
        submission__membership=membership, created_at__gte=since, created_at__lte=now
    ).values_list("created_at", flat=True)
    for moment in versions:
        if week := week_at(moment.astimezone(zone).date()):
            week.wrote += 1

    # A piece counts once per platform however many posts were recorded for it (a corrected
    # link recorded twice is still one piece); a post outside the assignments counts as itself.
    platforms = Counter()
    counted = set()
    posts = PostLog.objects.filter(membership=membership).order_by("posted_on", "pk")
    for pk, posted_on, platform, submission_id in posts.values_list("pk", "posted_on", "platform", "submission_id"):
        key = (platform, submission_id) if submission_id is not None else pk
        if key in counted:
            continue
        counted.add(key)
        platforms[platform] += 1
        if week := week_at(posted_on):
            week.published += 1

    responses_given = 0
    for moment in Response.objects.filter(author=membership, created_at__lte=now).values_list("created_at", flat=True):
        responses_given += 1
        if week := week_at(moment.astimezone(zone).date()):
            week.responded += 1

    pieces_shared = (
        Submission.objects.filter(membership=membership)
        .filter(Q(state__in=[SubmissionState.SHARED, SubmissionState.PUBLISHED]) | Q(shared_at__isnull=False))
        .count()
    )

    pauses = [
        (start, end)
        for start, end in Pause.objects.filter(
            membership=membership, ends_on__gte=first_monday, starts_on__lte=today
        ).values_list("starts_on", "ends_on")
    ]
    if membership.paused_until is not None and membership.paused_until >= today:
        pauses.append((today, membership.paused_until))
    for week in strip:
        week.paused = any(start <= week.sunday and end >= week.monday for start, end in pauses)

    for made_on in Contribution.objects.filter(
        relationship__membership=membership, made_on__gte=first_monday, made_on__lte=today
    ).values_list("made_on", flat=True):
        if week := week_at(made_on):
            week.contributions += 1

    streak, capped = apply_streak(strip)
    used_this_quarter = sum(1 for week in strip if week.grace and week.quarter == quarter_of(today))
    labels = dict(PostLog._meta.get_field("platform").choices)
    return Habit(
        weeks=strip,
        streak=streak,
        streak_capped=capped,
        grace_left=max(0, GRACE_PER_QUARTER - used_this_quarter),
        responses_given=responses_given,
        pieces_shared=pieces_shared,
        by_platform=[(str(labels.get(key, key)), count) for key, count in platforms.most_common()],
        today=today,
    )


def apply_streak(weeks, grace_per_quarter=GRACE_PER_QUARTER):
    """Walk back from the newest week (the last in `weeks`) and mark the streak on the weeks.

    Returns (streak length, whether it reached the oldest week and so may be longer)."""
    streak = 0
    grace_used = Counter()
    # Grace weeks count once an older active week is found; at the old end they bridge nothing.
    pending_grace = []
    capped = False
    for index, week in enumerate(reversed(weeks)):
        if week.active:
            streak += 1
            week.in_streak = True
            for bridged in pending_grace:
                bridged.grace = True
            pending_grace = []
        elif week.paused:
            continue
        elif index == 0:
            continue  # the current week is not over: it cannot break the streak yet
        elif grace_used[week.quarter] < grace_per_quarter:
            grace_used[week.quarter] += 1
            pending_grace.append(week)
        else:
            break
    else:
        capped = streak > 0
    return streak, capped
