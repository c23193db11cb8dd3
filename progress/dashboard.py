"""The facilitator's view of a cohort at a moment: who is where, who has gone quiet, who listens.

`build_dashboard(cohort, at)` answers everything the cohort dashboard page and its CSV exports
show, with a constant number of queries however many members the cohort has:

* the course's lessons (loaded once per course page object) and the cohort's date overrides (the schedule),
* the members, then their responses given and received (one grouped query over the whole
  cohort) and their last activity (one query, lessons.activity),
* every piece the members wrote, with "has feedback on its current version" (one query),
* the pieces waiting for feedback (one query, lessons.feedback),
* the pieces shared per ISO week, counted in SQL in each author's time zone (one query),
* the conversations their posts started and the replies they answered (two grouped queries,
  publishing.replies).

`home_panel_rows(user, at)` answers the consultant's panel on the Wagtail admin home page for all
her cohorts at once (two queries). Nothing here counts followers, likes or views: only writing,
listening, publishing and the conversations it starts.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, Count, DateField, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cohorts.access import facilitated_cohorts
from cohorts.models import CohortState, Membership, Role
from cohorts.schedule import Schedule
from course.timezones import week_start, zone_named
from lessons.activity import is_quiet, last_activity_in
from lessons.changes import writing_version
from lessons.feedback import has_current_feedback, waiting_for_feedback
from lessons.models import Response, Submission, SubmissionState
from publishing.replies import counts_by_membership

WEEK = datetime.timedelta(days=7)
HOME_PANEL_LIMIT = 25


class Status(models.IntegerChoices):
    """One cell of the progress matrix, in order of progress: a lesson takes its most advanced
    assignment's status."""

    NOT_OPEN = 0, _("Not open")
    OPEN = 1, _("Open")
    DRAFT = 2, _("Draft")
    SHARED = 3, _("Shared")
    FEEDBACK = 4, _("Feedback given")
    PUBLISHED = 5, _("Published")
    # Not progress but lateness: an open lesson with nothing written after its due date.
    OVERDUE = 6, _("Overdue")
    MISSED = 7, _("Missed")

    @property
    def slug(self):
        return self.name.lower().replace("_", "-")


# --- queries ----------------------------------------------------------------------------------


def _count(queryset, group_by):
    return Coalesce(
        Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        0,
    )


def cohort_members(cohort, circle=None):
    """The cohort's members (not facilitators), by name; only `circle`'s when given."""
    members = Membership.objects.filter(cohort=cohort, role=Role.MEMBER)
    if circle is not None:
        members = members.filter(circle=circle)
    return list(members.select_related("user").order_by("user__full_name", "user__email", "pk"))


def members_with_activity(cohort, members=None, *, last_activity=None):
    """The members (all of the cohort's by default), each with its response counts and last
    activity as attributes: one grouped query for the responses of these members, one for the
    last activity (lessons.activity) unless given."""
    members = cohort_members(cohort) if members is None else members
    ids = [member.pk for member in members]
    # Responses on the cohort's pieces (nobody can read, so answer, another cohort's) counted
    # per author and piece owner in one pass, then summed both ways.
    given, received = Counter(), Counter()
    for author, owner, count in (
        Response.objects.filter(submission__membership__cohort=cohort)
        .filter(Q(author_id__in=ids) | Q(submission__membership_id__in=ids))
        .order_by()
        .values("author", "submission__membership")
        .annotate(count=Count("pk"))
        .values_list("author", "submission__membership", "count")
    ):
        if author is not None:
            given[author] += count
        if author != owner:  # not one's own responses on one's own piece; a former member's count
            received[owner] += count
    last_activity = last_activity_in(cohort) if last_activity is None else last_activity
    for member in members:
        member.n_responses_given = given[member.pk]
        member.n_responses_received = received[member.pk]
        member.last_activity = last_activity.get(member.pk)
    return members


def piece_status(state, version, has_current_feedback):
    if state == SubmissionState.PUBLISHED:
        return Status.PUBLISHED
    if state == SubmissionState.SHARED:
        return Status.FEEDBACK if has_current_feedback else Status.SHARED
    # A draft counts once something was saved; opening the editor alone creates an empty one.
    return Status.DRAFT if version > 0 else Status.OPEN


def shared_per_week(cohort, zones):
    """{Monday: how many pieces the cohort's members shared in that ISO week}, each piece in the
    week of its author's own time zone (`zones`: the members' zone names). Counted in SQL, one
    query: the week's Monday is computed per zone in a CASE over the author's zone."""
    monday = Case(
        *(
            When(
                membership__time_zone=name,
                then=Cast(TruncWeek("shared_at", tzinfo=zone_named(name), output_field=DateField()), DateField()),
            )
            for name in sorted(zones)
        ),
        output_field=DateField(),
    )
    return dict(
        Submission.objects.filter(membership__cohort=cohort, membership__role=Role.MEMBER, shared_at__isnull=False)
        .annotate(monday=monday)
        .order_by()
        .values("monday")
        .annotate(count=Count("pk"))
        .values_list("monday", "count")
    )


# --- the dashboard -----------------------------------------------------------------------------


@dataclass
class Piece:
    """A piece in the dashboard's feedback queue."""

    pk: int
    membership_id: int
    title: str
    shared_at: datetime.datetime | None
    author: str = ""


@dataclass
class MemberRow:
    membership: Membership
    cells: list
    shared: int
    published: int
    responses_given: int
    responses_received: int
    last_activity: datetime.datetime | None
    quiet: bool
    # On the networks: posts someone answered, and others' replies the member answered back.
    conversations_started: int = 0
    replies_answered: int = 0

    @property
    def name(self):
        return self.membership.user.full_name or self.membership.user.email

    @property
    def email(self):
        return self.membership.user.email


@dataclass
class Bar:
    label: str
    starts_on: datetime.date
    count: int
    x: float
    y: float
    height: float
    centre: float

    @property
    def label_y(self):
        return round(self.y - 6, 1)


@dataclass
class Cadence:
    bars: list
    width: int
    height: int
    baseline: float
    bar_width: float
    total: int
    description: str

    @property
    def week_y(self):
        return self.baseline + 16

    @property
    def day_y(self):
        return self.baseline + 30


@dataclass
class QuietMember:
    name: str
    last_activity: datetime.datetime | None


@dataclass
class BouncingMember:
    """Mail to this member's address bounces, so Klartext has stopped emailing them."""

    membership_id: int
    name: str
    email: str
    since: datetime.datetime


@dataclass
class Dashboard:
    """`rows`: the members on this page (all for the CSVs); `member_count`, `quiet` and the queue
    are the whole cohort's (or circle's)."""

    cohort: object
    at: datetime.datetime
    slots: list
    rows: list
    queue: list = field(default_factory=list)
    cadence: Cadence | None = None
    member_count: int = 0
    quiet: list = field(default_factory=list)
    queue_count: int = 0
    bouncing: list = field(default_factory=list)
    page: object = None

    @property
    def oldest_waiting_since(self):
        return self.queue[0].shared_at if self.queue else None

    @property
    def oldest_waiting_days(self):
        since = self.oldest_waiting_since
        return (self.at - since).days if since else None

    def status_totals(self):
        """Per lesson, how many members are at each status (for the matrix's footer)."""
        totals = []
        for index in range(len(self.slots)):
            counter = Counter(row.cells[index] for row in self.rows)
            totals.append([(status, counter[status]) for status in Status if counter[status]])
        return totals


def _load_cells(member_ids, column_of_block, column_of_lesson):
    """Every piece these members wrote as a (membership id, matrix column, status) tuple: the
    column by the assignment's block id, by its lesson when the block is gone. Tuples, not
    objects: a cohort of 200 members has thousands of pieces."""
    rows = (
        Submission.objects.filter(membership_id__in=member_ids)
        .annotate(has_current_feedback=has_current_feedback())
        .order_by()
        .values_list("membership_id", "lesson_id", "assignment_id", "state", "version", "has_current_feedback")
    )
    cells = []
    for membership_id, lesson_id, block_id, state, version, feedback in rows:
        column = column_of_block.get(block_id)
        if column is None:
            column = column_of_lesson.get(lesson_id)
        cells.append((membership_id, column, piece_status(state, version, feedback)))
    return cells


def _feedback_queue(pieces, names, limit=None):
    """The pieces waiting for feedback (lessons.feedback) among `pieces`, oldest shared first."""
    rows = (
        waiting_for_feedback(pieces)
        .order_by("shared_at", "pk")
        .values_list("pk", "membership_id", "title", "assignment_title", "shared_at")
    )
    rows = rows[:limit] if limit else rows
    return [
        Piece(
            pk=pk,
            membership_id=membership_id,
            title=title or assignment_title,
            shared_at=shared_at,
            author=names.get(membership_id, ""),
        )
        for pk, membership_id, title, assignment_title, shared_at in rows
    ]


MEMBERS_PER_PAGE = 50
QUEUE_SHOWN = 5


def last_due(slot):
    """When a lesson's last assignment is due; None for a lesson without one."""
    return max((assignment.due_at for assignment in slot.assignments), default=None)


def lateness(due, at, cadence_days):
    """For a lesson nobody wrote for, whose last assignment is `due` (`last_due`): OVERDUE once
    it is due, MISSED a cadence step later; None while it is not due (or has no assignment)."""
    if due is None or at <= due:
        return None
    return Status.MISSED if at - due >= datetime.timedelta(days=cadence_days) else Status.OVERDUE


def build_dashboard(cohort, at=None, schedule=None, *, circle=None, page=None, per_page=MEMBERS_PER_PAGE):
    """Everything the dashboard shows for `cohort` at `at`, in the same few queries however many
    members and pieces: the schedule (date overrides; the course page loads its lessons once), the
    members, their last activity, and for the members on the page their responses and pieces; the
    feedback queue (count and the oldest few), the pieces shared per week and two for the
    conversations on the networks.

    `circle`: only its members. `page` (1-based): that page of `per_page` members; None: every
    member (the CSV exports)."""
    at = at or timezone.now()
    schedule = schedule or Schedule.for_cohort(cohort)
    slots = schedule.slots
    column_of_lesson = {slot.lesson.pk: index for index, slot in enumerate(slots)}
    column_of_block = {a.block_id: index for index, slot in enumerate(slots) for a in slot.assignments}

    everyone = cohort_members(cohort, circle)
    last_activity = last_activity_in(cohort)
    paginator = page_obj = None
    shown = everyone
    if page is not None:
        paginator = Paginator(everyone, per_page, allow_empty_first_page=True)
        page_obj = paginator.get_page(page)
        shown = list(page_obj.object_list)
    members = members_with_activity(cohort, shown, last_activity=last_activity) if shown else []
    conversations = counts_by_membership(Membership.objects.filter(cohort=cohort, role=Role.MEMBER)) if members else {}
    by_member = {}
    if members:
        for membership_id, column, status in _load_cells([m.pk for m in members], column_of_block, column_of_lesson):
            by_member.setdefault(membership_id, []).append((column, status))

    opened = [Status.OPEN if slot.is_open(at) else Status.NOT_OPEN for slot in slots]
    due = [last_due(slot) for slot in slots]
    late = [lateness(moment, at, cohort.cadence_days) for moment in due]
    rows = []
    for member in members:
        cells = list(opened)
        own = by_member.get(member.pk, ())
        for column, status in own:
            if column is not None and status > cells[column]:
                cells[column] = status
        for column, status in enumerate(cells):
            if status == Status.OPEN and late[column] and member.answers_for(due[column]):
                cells[column] = late[column]
        rows.append(
            MemberRow(
                membership=member,
                cells=cells,
                shared=sum(1 for _column, status in own if status >= Status.SHARED),
                published=sum(1 for _column, status in own if status == Status.PUBLISHED),
                responses_given=member.n_responses_given,
                responses_received=member.n_responses_received,
                last_activity=member.last_activity,
                quiet=is_quiet(member, member.last_activity, at),
                conversations_started=conversations.get(member.pk, {}).get("started", 0),
                replies_answered=conversations.get(member.pk, {}).get("answered", 0),
            )
        )

    names = {member.pk: member.user.full_name or member.user.email for member in everyone}
    pieces = Submission.objects.filter(membership__cohort=cohort)
    if circle is not None:
        pieces = pieces.filter(membership__circle=circle)
    quiet = [
        QuietMember(names[member.pk], last_activity.get(member.pk))
        for member in everyone
        if is_quiet(member, last_activity.get(member.pk), at)
    ]
    bouncing = [
        BouncingMember(member.pk, names[member.pk], member.user.email, member.user.email_bouncing_since)
        for member in everyone
        if member.user.email_bouncing_since is not None
    ]
    if page is None:
        queue = _feedback_queue(pieces, names)
        queue_count = len(queue)
    else:
        queue = _feedback_queue(pieces, names, limit=QUEUE_SHOWN)
        queue_count = waiting_for_feedback(pieces).count()
    per_week = shared_per_week(cohort, {member.time_zone for member in everyone}) if everyone else {}
    return Dashboard(
        cohort=cohort,
        at=at,
        slots=slots,
        rows=rows,
        queue=queue,
        cadence=cadence_chart(cohort, per_week, at),
        member_count=len(everyone),
        quiet=quiet,
        bouncing=bouncing,
        queue_count=queue_count,
        page=page_obj,
    )


# How long a page of the dashboard is kept at most: statuses that change with time alone (a
# lesson opens, a due date passes, someone goes quiet) show within this.
CACHE_SECONDS = 300


def dashboard_cache_key(cohort, schedule, at, *, circle=None, page=1):
    """Names one page of the dashboard as it stands: the cohort, circle and page, the writing
    version (lessons.changes), the five-minute slot, the schedule's lessons and dates, the cadence."""
    lessons = tuple((slot.lesson.pk, slot.opens_at.isoformat()) for slot in schedule.slots)
    return "dashboard:" + ":".join(
        str(part)
        for part in (
            cohort.pk,
            circle.pk if circle else "-",
            page,
            writing_version(),
            int(at.timestamp() // CACHE_SECONDS),
            hashlib.blake2s(repr(lessons).encode(), digest_size=8).hexdigest(),
            cohort.cadence_days,
        )
    )


def cached_dashboard(cohort, at=None, *, circle=None, page=1, schedule=None):
    """The dashboard page as build_dashboard makes it, kept in Django's cache until anything
    members write changes (lessons.changes), the cohort's schedule changes, or CACHE_SECONDS
    pass. Costs the schedule (the date overrides) and one cache read when kept."""
    at = at or timezone.now()
    schedule = schedule or Schedule.for_cohort(cohort)
    key = dashboard_cache_key(cohort, schedule, at, circle=circle, page=page)
    kept = cache.get(key)
    if kept is None:
        dashboard = build_dashboard(cohort, at, schedule, circle=circle, page=page)
        kept = {
            "at": dashboard.at,
            "rows": dashboard.rows,
            "queue": dashboard.queue,
            "cadence": dashboard.cadence,
            "member_count": dashboard.member_count,
            "quiet": dashboard.quiet,
            "bouncing": dashboard.bouncing,
            "queue_count": dashboard.queue_count,
            "page": dashboard.page.number if dashboard.page else None,
            "per_page": dashboard.page.paginator.per_page if dashboard.page else None,
        }
        cache.set(key, kept, CACHE_SECONDS)
    page_obj = None
    if kept["page"] is not None:
        page_obj = Paginator(range(kept["member_count"]), kept["per_page"]).get_page(kept["page"])
    return Dashboard(
        cohort=cohort,
        at=kept["at"],
        slots=schedule.slots,
        rows=kept["rows"],
        queue=kept["queue"],
        cadence=kept["cadence"],
        member_count=kept["member_count"],
        quiet=kept["quiet"],
        bouncing=kept["bouncing"],
        queue_count=kept["queue_count"],
        page=page_obj,
    )


# --- the cadence chart ------------------------------------------------------------------------

CHART_HEIGHT = 180
CHART_TOP = 24  # room for the count above the tallest bar
CHART_BOTTOM = 40  # room for two lines of week labels
SLOT_WIDTH = 56
BAR_WIDTH = 32


def cohort_weeks(cohort, at):
    """The Mondays of the cohort's ISO weeks so far (local to the cohort), first to current."""
    today = min(cohort.local_today(at), cohort.end_date)
    first = week_start(cohort.start_date)
    last = week_start(today)
    weeks = []
    monday = first
    while monday <= last:
        weeks.append(monday)
        monday += WEEK
    return weeks


def cadence_chart(cohort, per_week, at):
    """Pieces shared per ISO week (`per_week`: {Monday: count}), as geometry for a
    server-rendered SVG bar chart with text labels on every bar (readable without colour) and a
    description for screen readers."""
    weeks = cohort_weeks(cohort, at)
    counts = Counter(per_week)
    peak = max((counts[monday] for monday in weeks), default=0) or 1
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height
    bars = []
    for index, monday in enumerate(weeks):
        count = counts[monday]
        height = round(plot_height * count / peak, 1)
        x = index * SLOT_WIDTH + (SLOT_WIDTH - BAR_WIDTH) / 2
        bars.append(
            Bar(
                label=f"W{monday.isocalendar().week:02d}",
                starts_on=monday,
                count=count,
                x=x,
                y=round(baseline - height, 1),
                height=height,
                centre=x + BAR_WIDTH / 2,
            )
        )
    total = sum(bar.count for bar in bars)
    parts = [
        ngettext("%(week)s (from %(day)s): %(count)s piece", "%(week)s (from %(day)s): %(count)s pieces", bar.count)
        % {"week": bar.label, "day": date_format(bar.starts_on, "DATE_FORMAT"), "count": bar.count}
        for bar in bars
    ]
    description = (
        _("Pieces shared per week.") + " " + "; ".join(parts) + "." if parts else _("The cohort has not started yet.")
    )
    return Cadence(
        bars=bars,
        width=max(len(bars), 1) * SLOT_WIDTH,
        height=CHART_HEIGHT,
        baseline=baseline,
        bar_width=BAR_WIDTH,
        total=total,
        description=description,
    )


# --- the consultant's home panel ------------------------------------------------------------


@dataclass
class CohortActivity:
    cohort: object
    state_label: str
    shared_this_week: int
    responses_this_week: int
    waiting_count: int
    oldest_waiting: object = None

    @property
    def oldest_waiting_days(self):
        return self.oldest_waiting.waiting_days if self.oldest_waiting else None


def home_panel_rows(user, at=None, limit=HOME_PANEL_LIMIT):
    """Her cohorts (running first, then upcoming, then alumni) with this week's activity and the
    oldest piece waiting for feedback: two queries, however many cohorts."""
    at = at or timezone.now()
    week_ago = at - WEEK
    cohort = OuterRef("pk")
    waiting = waiting_for_feedback(Submission.objects.filter(membership__cohort=cohort))
    cohorts = list(
        facilitated_cohorts(user)
        .select_related("course")
        .annotate(
            shared_this_week=_count(
                Submission.objects.filter(membership__cohort=cohort, shared_at__gte=week_ago, shared_at__lte=at),
                "membership__cohort",
            ),
            responses_this_week=_count(
                Response.objects.filter(submission__membership__cohort=cohort, created_at__gte=week_ago).filter(
                    created_at__lte=at
                ),
                "submission__membership__cohort",
            ),
            waiting_count=_count(waiting, "membership__cohort"),
            oldest_waiting_id=Subquery(waiting.order_by("shared_at", "pk").values("pk")[:1]),
        )
        .order_by("-start_date", "name")[:limit]
    )
    oldest_ids = [c.oldest_waiting_id for c in cohorts if c.oldest_waiting_id]
    oldest = (
        {s.pk: s for s in Submission.objects.filter(pk__in=oldest_ids).select_related("membership__user")}
        if oldest_ids
        else {}
    )
    order = {CohortState.RUNNING: 0, CohortState.UPCOMING: 1, CohortState.ALUMNI: 2}
    rows = []
    for cohort_obj in cohorts:
        piece = oldest.get(cohort_obj.oldest_waiting_id)
        if piece is not None:
            piece.waiting_days = (at - piece.shared_at).days if piece.shared_at else 0
        state = cohort_obj.state_at(at)
        rows.append(
            (
                order[state],
                CohortActivity(
                    cohort=cohort_obj,
                    state_label=str(CohortState(state).label),
                    shared_this_week=cohort_obj.shared_this_week,
                    responses_this_week=cohort_obj.responses_this_week,
                    waiting_count=cohort_obj.waiting_count,
                    oldest_waiting=piece,
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])  # stable: by start date within each state
    return [row for _order, row in rows]


# --- the per-member summary (page and CSV show the same values) --------------------------------

SUMMARY_COLUMNS = [
    _("Name"),
    _("Email"),
    _("Pieces shared"),
    _("Published"),
    _("Responses given"),
    _("Responses received"),
    _("Conversations started"),
    _("Replies answered"),
    _("Last activity"),
    _("Quiet (14+ days)"),
]


def summary_values(row, zone):
    """One member's summary line: the page's table and the CSV export both render these."""
    last = row.last_activity.astimezone(zone).date().isoformat() if row.last_activity else ""
    return [
        row.name,
        row.email,
        row.shared,
        row.published,
        row.responses_given,
        row.responses_received,
        row.conversations_started,
        row.replies_answered,
        last,
        str(_("Yes")) if row.quiet else str(_("No")),
    ]
