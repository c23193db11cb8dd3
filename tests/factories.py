"""Test data, in one place: factory_boy factories for the models, and plain functions where a
factory does not fit (Wagtail's page tree, many members at once, admin form posts).

Test files import their builders from here, never from another test file or from a conftest.
Named people for one test module are fixtures in that module (or in conftest.py), built from these:

    cohort = make_cohort(course_page, "Spring")
    anna = MembershipFactory(cohort=cohort, user__full_name="Anna Member")
    FeedbackFactory(submission=SubmissionFactory(membership=anna), author=facilitator.user)
"""

import copy
import datetime
import functools
import importlib
import io
import re
import time
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.log_actions import log
from wagtail.models import Locale, Page, Site
from wagtail.signal_handlers import disable_reference_index_auto_update, reference_index_auto_update_disabled
from wagtail.test.utils.form_data import rich_text

from cohorts.models import Circle, Cohort, CohortEvent, Invitation, Membership, Role
from course.models import CoursePage, HomePage, User
from demo import demo_content
from lessons import writing
from lessons.models import Feedback, LessonPage, Response, Submission, SubmissionVersion, Visibility
from mail.models import Delivery, DeliveryState, FacilitatorNote, Kind
from mail.tokens import unsubscribe_token

# Every test runs in this zone (tests/conftest.py), like Wagtail's own suite, a zone far from UTC
# (and from our Europe/Berlin default) makes every naive-datetime or wrong-zone bug show.
TEST_TIME_ZONE = "Asia/Tokyo"


def daytime_zone(now):
    """A zone where it is daytime (08:00–19:00) at `now`, so quiet hours do not hold an email back
    wherever and whenever a test runs with real time. Its local weekday may not be UTC's: a
    member's chosen weekday has to be read in it."""
    for offset in range(-12, 13):
        if 8 <= (now.hour + offset) % 24 < 19:
            # Etc/GMT signs are inverted: Etc/GMT-2 is two hours ahead of UTC.
            return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}" if offset else "UTC"
    raise AssertionError("some offset from -12 to +12 h is always daytime")


# --- the page tree ----------------------------------------------------------------------------


def outside_reference_index(build):
    """Pages built for a test stay out of Wagtail's reference index (what links to what, for the
    admin's usage and delete warnings): no test reads it from a built page, and keeping it was a
    fifth of building one. Pages the tests edit through the admin are indexed as usual."""

    @functools.wraps(build)
    def built(*args, **kwargs):
        if getattr(reference_index_auto_update_disabled, "value", False):
            return build(*args, **kwargs)  # within another builder: Wagtail's switch does not nest
        with disable_reference_index_auto_update():
            return build(*args, **kwargs)

    return built


@outside_reference_index
def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@outside_reference_index
def make_home():
    """The site root the data migration creates; transactional tests flush it, so build it then."""
    home = HomePage.objects.filter(depth=2).first()
    if home is not None:
        return home
    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=HomePage(title="Klartext", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "Klartext"}
    )
    return home


@outside_reference_index
def make_course(home=None, *, title="Digital presence for leaders", slug="presence", **fields):
    fields.setdefault("intro", "<p>An honest presence, one post at a time.</p>")
    course = CoursePage(title=title, slug=slug, **fields)
    (home or make_home()).add_child(instance=course)
    return publish(course)


def any_course():
    """The course a factory uses when the test names none."""
    return CoursePage.objects.order_by("path").first() or make_course()


@outside_reference_index
def make_lesson(course, title, *, offset=0, body=None, assignment=None, **extra):
    """A published lesson with some text and one short writing assignment, due three days in
    (`assignment`: fields of the assignment to change, e.g. {"wait_for_ready": True})."""
    lesson = LessonPage(
        title=title,
        summary=f"About {title}.",
        release_offset=offset,
        body=body
        or [
            ("text", "<p>Lesson text.</p>"),
            (
                "writing_assignment",
                {
                    "title": f"Write about {title}",
                    "prompt": "Write it.",
                    "guidance": "<p>Short.</p>",
                    "format": "short_280",
                    "suggested_length": 50,
                    "due_offset_days": 3,
                    "default_audience": "circle",
                    **(assignment or {}),
                },
            ),
        ],
        **extra,
    )
    course.add_child(instance=lesson)
    return publish(lesson)


@outside_reference_index
def translate_page(page, language="de", **fields):
    """A published translation of `page` (its parent translated already) with `fields` changed.
    A lesson's `assignment_titles` ({block id: title}) rewords its writing assignments, same ids."""
    locale = Locale.objects.get_or_create(language_code=language)[0]
    assignment_titles = fields.pop("assignment_titles", None)
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    if assignment_titles:
        blocks = copy.deepcopy(list(translation.body.raw_data))
        for block in blocks:
            if block["type"] == "writing_assignment" and block["id"] in assignment_titles:
                block["value"]["title"] = assignment_titles[block["id"]]
        translation.body = blocks
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


# --- people and cohorts -----------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = "pw"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class CohortFactory(DjangoModelFactory):
    """By default a cohort of thirteen weeks from Monday 2 November 2026, in Berlin."""

    class Meta:
        model = Cohort

    course = factory.LazyFunction(any_course)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    start_date = datetime.date(2026, 11, 2)
    end_date = factory.LazyAttribute(lambda cohort: cohort.start_date + datetime.timedelta(days=90))
    time_zone = "Europe/Berlin"


def make_cohort(course, name="Leadership team", **fields):
    return CohortFactory(course=course, name=name, **fields)


class CircleFactory(DjangoModelFactory):
    class Meta:
        model = Circle

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Circle {n}")


class MembershipFactory(DjangoModelFactory):
    """A member (or, with facilitator=True, a facilitator); in the circle's cohort when given a circle."""

    class Meta:
        model = Membership

    class Params:
        facilitator = factory.Trait(role=Role.FACILITATOR)

    user = factory.SubFactory(UserFactory)
    circle = None
    cohort = factory.Maybe(
        "circle",
        yes_declaration=factory.SelfAttribute("circle.cohort"),
        no_declaration=factory.SubFactory(CohortFactory),
    )
    role = Role.MEMBER


def make_members(cohort, count, *, zones=("Europe/Berlin",), prefix="m", **membership_fields):
    """Many members fast: users and memberships are bulk-inserted (no per-row save)."""
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{index}.{cohort.pk}@example.com",
                full_name=f"Member {index}",
                time_zone=zones[index % len(zones)],
                password="!",
            )
            for index in range(count)
        ]
    )
    if not users or users[0].pk is None:  # databases without RETURNING on bulk insert
        users = list(User.objects.filter(email__startswith=prefix, email__endswith=f".{cohort.pk}@example.com"))
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                cohort=cohort,
                role="member",
                language="en",
                time_zone=user.time_zone,
                **membership_fields,
            )
            for user in users
        ]
    )
    return list(Membership.objects.filter(cohort=cohort, user__in=users).select_related("user"))


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    cohort = factory.SubFactory(CohortFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Invited {n}")
    language = "en"
    time_zone = "Europe/Berlin"
    expires_at = factory.LazyFunction(Invitation.default_expiry)


# --- writing ----------------------------------------------------------------------------------


class SubmissionFactory(DjangoModelFactory):
    """A draft, not tied to a lesson page; to share it, go through lessons.writing as members do."""

    class Meta:
        model = Submission

    membership = factory.SubFactory(MembershipFactory)
    assignment_id = factory.Sequence(lambda n: f"assignment-{n}")
    assignment_title = factory.LazyAttribute(lambda submission: f"About {submission.assignment_id}")


class SubmissionVersionFactory(DjangoModelFactory):
    class Meta:
        model = SubmissionVersion

    submission = factory.SubFactory(SubmissionFactory)
    number = factory.LazyAttribute(lambda version: version.submission.version)
    title = factory.SelfAttribute("submission.title")
    body = factory.SelfAttribute("submission.body")


class FeedbackFactory(DjangoModelFactory):
    class Meta:
        model = Feedback

    submission = factory.SubFactory(SubmissionFactory)
    author = factory.SubFactory(UserFactory)
    body = "Clear and specific."
    verdict = Feedback.Verdict.READY
    version = factory.SelfAttribute("submission.version")


# --- email ------------------------------------------------------------------------------------


class DeliveryFactory(DjangoModelFactory):
    """A pending weekly nudge, due now."""

    class Meta:
        model = Delivery

    membership = factory.SubFactory(MembershipFactory)
    kind = Kind.WEEKLY_NUDGE
    period_key = factory.Sequence(lambda n: f"2026-W{n % 52 + 1:02d}")
    due_at = factory.LazyFunction(timezone.now)
    to_email = factory.LazyAttribute(lambda delivery: delivery.membership.user.email if delivery.membership else "")


def make_every_email(course_page, language, *, name="Leadership team", full_name=None):
    """One pending delivery of every kind, due now, in `language`, for a running cohort (the time
    must be frozen inside it, e.g. 25 November 2026): {kind: Delivery}. `name` goes into every
    title (lesson, cohort, circle, piece, event) and `full_name` (default: "<name> <letter>") into
    every person's name."""
    lesson = make_lesson(course_page, name)
    cohort = make_cohort(
        course_page, name=name, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31)
    )
    circle = Circle.objects.create(cohort=cohort, name=name)

    def person(email, role=Role.MEMBER):
        user = User.objects.create_user(
            email=email, password="pw", full_name=full_name or f"{name} {email[0]}", language=language
        )
        return Membership.objects.create(
            user=user, cohort=cohort, role=role, language=language, time_zone="Europe/Berlin", circle=circle
        )

    author, reader, peer = person("author@example.test"), person("reader@example.test"), person("peer@example.test")
    facilitator = person("fac@example.test", role=Role.FACILITATOR)
    assignment_id = lesson.writing_assignments[0][0]
    piece = writing.get_or_start(author, lesson, assignment_id)
    writing.save_draft(piece.pk, title=name, body=f"{name} body", base_version=0)
    writing.give_feedback(piece, facilitator.user, f"{name} feedback\n\nA second paragraph.", "revise")
    Response.objects.create(submission=piece, author=peer, body=f"{name} response")
    event = CohortEvent.objects.create(
        cohort=cohort,
        name=name,
        date=datetime.date(2026, 11, 26),
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        place=name,
        agenda=name,
        hashtag="QA",
    )
    note = FacilitatorNote.objects.create(
        cohort=cohort, membership=author, author=facilitator.user, subject=name, body=f"{name} note"
    )
    invitation = Invitation.objects.create(
        cohort=cohort,
        email="new@example.test",
        full_name=full_name or name,
        language=language,
        time_zone="Europe/Berlin",
        invited_by=facilitator.user,
        expires_at=Invitation.default_expiry(),
    )

    def row(kind, membership=None, subject_id=None, key="k", **fields):
        return Delivery.objects.create(
            membership=membership, kind=kind, subject_id=subject_id, period_key=key, due_at=timezone.now(), **fields
        )

    return {
        Kind.WEEKLY_NUDGE: row(Kind.WEEKLY_NUDGE, author),
        Kind.LESSON_RELEASED: row(Kind.LESSON_RELEASED, author, lesson.pk),
        Kind.ASSIGNMENT_DUE: row(Kind.ASSIGNMENT_DUE, author, lesson.pk, key=f"due:{assignment_id}"),
        Kind.FEEDBACK_READY: row(Kind.FEEDBACK_READY, author, piece.pk),
        Kind.PEER_REVIEW: row(Kind.PEER_REVIEW, reader, piece.pk),
        Kind.PEER_RESPONDED: row(Kind.PEER_RESPONDED, author, piece.pk, key=f"responses:{piece.pk}"),
        Kind.FACILITATOR_DIGEST: row(Kind.FACILITATOR_DIGEST, facilitator),
        Kind.ALUMNI_NUDGE: row(Kind.ALUMNI_NUDGE, author),
        Kind.EVENT_KIT: row(Kind.EVENT_KIT, author, event.pk, variant="before"),
        Kind.SELF_CHECK: row(Kind.SELF_CHECK, author, key="self-check:2026"),
        Kind.INVITATION: row(Kind.INVITATION, invitation=invitation),
        Kind.PERSONAL_NOTE: row(Kind.PERSONAL_NOTE, author, note.pk, key="note"),
        Kind.GROUP_MESSAGE: row(Kind.GROUP_MESSAGE, reader, note.pk, key="group"),
        Kind.EVENT_INVITATION: row(
            Kind.EVENT_INVITATION, author, event.pk, key=f"event-invite:{event.pk}:0", variant="REQUEST"
        ),
        Kind.DRAFT_SAVED: row(Kind.DRAFT_SAVED, author, piece.pk, key="reply:1", variant="compare:1;files"),
        Kind.RECONNECT_NEEDED: row(
            Kind.RECONNECT_NEEDED, author, key="reconnect:bluesky:2026-11-25", variant="bluesky"
        ),
    }


# --- the email pipeline end to end (tests/reliability) -----------------------------------------

# Zones around the world; members get their nudge slot at "now" in their own zone.
PIPELINE_ZONES = [
    "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "America/Sao_Paulo",
    "Asia/Kathmandu", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
    "Pacific/Tongatapu", "Africa/Lagos", "Asia/Dubai", "America/St_Johns", "Australia/Adelaide",
]  # fmt: skip


_FIXED_ZONES = [f"Etc/GMT{offset:+d}" if offset else "Etc/GMT" for offset in range(-14, 13)]


def _sending_hours_last(now, room, zone):
    local, until = now.astimezone(zone), (now + room).astimezone(zone)
    return local.hour >= 7 and until.date() == local.date() and until.hour < 20


def due_now(cohort, count, prefix, *, room=datetime.timedelta(minutes=30), **membership_fields):
    """Members whose chosen weekday and hour is the current (real) local one, in zones where it is
    daytime now and stays so for `room` (quiet hours would rightly hold the email back, and their
    deadline, 20:00 local, would expire what a test sends after it)."""
    now = datetime.datetime.now(datetime.UTC)
    zones = [z for z in PIPELINE_ZONES if _sending_hours_last(now, room, zoneinfo.ZoneInfo(z))]
    if not zones:  # some fixed offset is around noon whatever the hour
        zones = [next(z for z in _FIXED_ZONES if _sending_hours_last(now, room, zoneinfo.ZoneInfo(z)))]
    members = []
    per_zone = -(-count // len(zones))
    for index, zone in enumerate(zones):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        take = min(per_zone, count - len(members))
        if take <= 0:
            break
        members += make_members(
            cohort,
            take,
            zones=(zone,),
            prefix=f"{prefix}{index}-",
            nudge_weekday=local.weekday(),
            nudge_hour=local.hour,
            **membership_fields,
        )
    return members


def wait_for(condition, timeout, interval=0.2):
    """Poll `condition` until it holds or `timeout` seconds have passed; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def open_count():
    """Deliveries not yet in a final state, read fresh (a worker writes them meanwhile)."""
    close_old_connections()
    final = [DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNKNOWN, DeliveryState.SKIPPED]
    return Delivery.objects.exclude(state__in=final).count()


# --- worlds shared by several test modules ----------------------------------------------------


def make_world(course_page):
    """A running cohort with a circle of three, a facilitator, one open and one closed lesson, and
    a member of another cohort."""
    today = timezone.localdate()
    term = {"start_date": today - datetime.timedelta(days=10), "end_date": today + datetime.timedelta(days=60)}
    cohort = make_cohort(course_page, "Spring leaders", **term)
    other_cohort = make_cohort(course_page, "Autumn leaders", **term)
    circle = CircleFactory(cohort=cohort, name="Blue")
    lesson = make_lesson(course_page, "Who am I")
    closed = make_lesson(course_page, "Later", offset=5)

    def person(email, name, cohort, role="member", circle=None):
        user = UserFactory(email=email, full_name=name)
        return MembershipFactory(user=user, cohort=cohort, role=role, circle=circle)

    anna = person("anna.member@example.test", "Anna Member", cohort, circle=circle)
    ben = person("ben@example.test", "Ben Circle", cohort, circle=circle)
    cleo = person("cleo@example.test", "Cleo Circle", cohort, circle=circle)
    facilitator = person("fay@example.test", "Fay Facilitator", cohort, role="facilitator")
    outsider = person("otto@example.test", "Otto Other", other_cohort)
    return SimpleNamespace(
        cohort=cohort,
        other_cohort=other_cohort,
        circle=circle,
        lesson=lesson,
        closed=closed,
        assignment_id=lesson.writing_assignments[0][0],
        closed_assignment_id=closed.writing_assignments[0][0],
        anna=anna,
        ben=ben,
        cleo=cleo,
        facilitator=facilitator,
        outsider=outsider,
    )


# --- the demo (manage.py seed_demo) ------------------------------------------------------------


@contextmanager
def kept_for_the_module(django_db_blocker):
    """For a module-scoped fixture that builds data its tests only read: what is built inside
    stays in a transaction that each test's own rolls back to, and is rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def seed_demo(**options):
    """`manage.py seed_demo` as a test runs it; returns what it printed."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True, **options)
    return out.getvalue()


def demo_course():
    # The English course; its German translation has the same slug.
    return CoursePage.objects.get(slug=demo_content.COURSE["slug"], locale__language_code="en")


def demo_lessons():
    # Reloaded from the database, so bodies come back through the StreamField.
    return list(LessonPage.objects.child_of(demo_course()).order_by("path"))


# --- reading pages and posting admin forms ----------------------------------------------------


def words(html):
    return len(re.sub(r"<[^>]+>", " ", html).split())


def lesson_words(lesson):
    """Words a reader meets in the lesson: text blocks and the text fields of other blocks."""
    total = 0
    for block in lesson.body:
        value = block.value
        if block.block_type == "text":
            total += words(value.source)
        elif hasattr(value, "items"):
            for item in value.values():
                if isinstance(item, str) or hasattr(item, "source"):
                    total += words(getattr(item, "source", item))
    return total


def edit_form_with_order(lesson, new_order, **changes):
    """The lesson edit form as the admin's JS posts it: each block keeps its index and id;
    reordering only changes the `order` values."""
    blocks = []
    for block in lesson.body.raw_data:
        blocks.append((block["type"], block["value"], block["id"]))
    data = {
        "title": lesson.title,
        "slug": lesson.slug,
        "summary": lesson.summary,
        "estimated_minutes": str(lesson.estimated_minutes),
        "release_offset": str(lesson.release_offset),
        "body-count": str(len(blocks)),
        **changes,
    }
    for index, (block_type, value, block_id) in enumerate(blocks):
        data[f"body-{index}-type"] = block_type
        data[f"body-{index}-id"] = block_id
        data[f"body-{index}-deleted"] = ""
        data[f"body-{index}-order"] = str(new_order.index(index))
        data.update({f"body-{index}-value{key}": val for key, val in _flatten(block_type, value).items()})
    return data


def _flatten(block_type, value):
    rich = {("text", None), ("tip", "text"), ("writing_assignment", "guidance")}
    if not isinstance(value, dict):
        return {"": rich_text(value) if (block_type, None) in rich else value}
    flat = {}
    for key, val in value.items():
        if (block_type, key) in rich:
            val = rich_text(val)
        elif block_type == "video" and key == "video":
            val = val or ""
        flat[f"-{key}"] = "" if val is None else str(val)
    return flat


# --- the authorization walk's world (tests/test_authorization.py) ------------------------------
#
# two cohorts of one course, their people, and one of
# everything that has an id in a URL. Every name and text of cohort B carries B_MARKER (A_MARKER for
# cohort A), so a response that shows another cohort's data is caught by a substring check.

A_MARKER = "ZZ-COHORT-A-SECRET"
B_MARKER = "ZZ-COHORT-B-SECRET"
# M1's unshared draft: nobody but M1 ever sees it.
DRAFT_MARKER = "ZZ-M1-DRAFT-SECRET"
# The facilitator's feedback on M1's piece: for M1, A's facilitator and staff only.
FEEDBACK_MARKER = "ZZ-M1-FEEDBACK-SECRET"

# The people, by the short name used in test ids.
ANON = "anon"
M1 = "M1-owner"  # member of A, wrote the piece
M2 = "M2-circle-mate"  # member of A, same circle as M1
MB = "MB-other-member"  # member of B
FA = "FA-facilitator"  # facilitator of A (non-staff, "Facilitators" group)
FB = "FB-other-facilitator"  # facilitator of B
STAFF = "staff"  # superuser
ROLES = [ANON, M1, M2, MB, FA, FB, STAFF]

A_PEOPLE = frozenset({M1, M2, FA})
B_PEOPLE = frozenset({MB, FB})

# Who may see each marker (a marker in a response for anyone else is a leak).
MARKER_READERS = {
    A_MARKER: A_PEOPLE | {STAFF},
    B_MARKER: B_PEOPLE | {STAFF},
    DRAFT_MARKER: frozenset({M1}),
    FEEDBACK_MARKER: frozenset({M1, FA, STAFF}),
}


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (None for anonymous)
    course: CoursePage = None
    lesson: object = None
    assignment_id: str = ""
    cohort_a: Cohort = None
    cohort_b: Cohort = None
    circle_a: Circle = None
    m1: Membership = None
    m2: Membership = None
    mb: Membership = None
    piece: object = None  # M1's shared piece, two versions, a response and feedback
    draft: object = None  # M1's unshared draft
    piece_b: object = None
    invitation_a: Invitation = None
    invitation_b: Invitation = None
    delivery_a: Delivery = None  # M1's weekly nudge
    delivery_invitation_a: Delivery = None  # the invitation email into A
    delivery_b: Delivery = None
    unsubscribe_token: str = ""


def facilitators_group():
    """The "Facilitators" group as its data migration makes it; a transactional test's flush
    (the browser tests) empties the table, so it is made again where it is missing."""
    group = Group.objects.filter(name="Facilitators").first()
    if group is None:
        migration = importlib.import_module("cohorts.migrations.0002_facilitators_group")
        migration.create_facilitators_group(django_apps, None)
        group = Group.objects.get(name="Facilitators")
    return group


def _person(email, name, *, facilitator=False, **extra):
    user = User.objects.create_user(email=email, password="pw", full_name=name, language="en", **extra)
    if facilitator:
        user.groups.add(Group.objects.get(name="Facilitators"))
    return user


def _cohort(course, name, marker):
    today = timezone.localdate()
    return Cohort.objects.create(
        course=course,
        name=f"{name} {marker}",
        organisation=f"Org {marker}",
        start_date=today - datetime.timedelta(days=14),
        end_date=today + datetime.timedelta(days=60),
        time_zone="Europe/Berlin",
        hashtag=f"Tag{name}",
    )


def _membership(user, cohort, role=Role.MEMBER, circle=None):
    return Membership.objects.create(user=user, cohort=cohort, role=role, circle=circle)


def _write(membership, lesson, assignment_id, texts, *, title, visibility=None):
    piece = writing.get_or_start(membership, lesson, assignment_id)
    for number, text in enumerate(texts):
        writing.save_draft(piece.pk, title=title, body=text, base_version=number)
    piece.refresh_from_db()
    if visibility:
        writing.share(piece, visibility=visibility)
        piece.refresh_from_db()
    return piece


def build_world():
    world = World()
    course = CoursePage(title="Digital presence for leaders", slug="authz-presence", intro="<p>Intro.</p>")
    make_home().add_child(instance=course)
    world.course = course = publish(course)
    world.lesson = make_lesson(course, "Who am I")
    second = make_lesson(course, "Second lesson")
    world.assignment_id = world.lesson.writing_assignments[0][0]

    # Cohort A: M1 and M2 in one circle, facilitated by F_A.
    world.cohort_a = _cohort(course, "Alpha", A_MARKER)
    world.circle_a = Circle.objects.create(cohort=world.cohort_a, name=f"Circle {A_MARKER}")
    users = {ANON: None}
    users[M1] = _person("m1@alpha.test", f"Mira {A_MARKER}")
    users[M2] = _person("m2@alpha.test", f"Max {A_MARKER}")
    users[FA] = _person("fa@alpha.test", f"Fay {A_MARKER}", facilitator=True)
    world.m1 = _membership(users[M1], world.cohort_a, circle=world.circle_a)
    world.m2 = _membership(users[M2], world.cohort_a, circle=world.circle_a)
    _membership(users[FA], world.cohort_a, Role.FACILITATOR)

    # Cohort B (same course): M_B in a circle, facilitated by F_B.
    world.cohort_b = _cohort(course, "Beta", B_MARKER)
    circle_b = Circle.objects.create(cohort=world.cohort_b, name=f"Circle {B_MARKER}")
    users[MB] = _person("mb@beta.test", f"Bo {B_MARKER}")
    users[FB] = _person("fb@beta.test", f"Finn {B_MARKER}", facilitator=True)
    world.mb = _membership(users[MB], world.cohort_b, circle=circle_b)
    mb2 = _membership(_person("mb2@beta.test", f"Bea {B_MARKER}"), world.cohort_b, circle=circle_b)
    _membership(users[FB], world.cohort_b, Role.FACILITATOR)

    users[STAFF] = User.objects.create_superuser(
        email="anna@klartext.test", password="pw", full_name="Anna Staff", language="en"
    )
    world.users = users

    # M1's shared piece (two versions), M2's response, F_A's feedback; and M1's private draft.
    world.piece = _write(
        world.m1,
        world.lesson,
        world.assignment_id,
        [f"First text {A_MARKER}", f"Piece text {A_MARKER}"],
        title=f"Title {A_MARKER}",
        visibility=Visibility.CIRCLE,
    )
    writing.respond(world.piece, world.m2, f"Response {A_MARKER}")
    writing.give_feedback(world.piece, users[FA], f"Feedback {FEEDBACK_MARKER}", Feedback.Verdict.READY)
    world.piece.refresh_from_db()
    world.draft = _write(
        world.m1, second, second.writing_assignments[0][0], [f"Draft {DRAFT_MARKER}"], title=f"Draft {DRAFT_MARKER}"
    )

    # B's piece, response and feedback.
    world.piece_b = _write(
        world.mb,
        world.lesson,
        world.assignment_id,
        [f"Piece text {B_MARKER}"],
        title=f"Title {B_MARKER}",
        visibility=Visibility.CIRCLE,
    )
    writing.respond(world.piece_b, mb2, f"Response {B_MARKER}")
    writing.give_feedback(world.piece_b, users[FB], f"Feedback {B_MARKER}", Feedback.Verdict.REVISE)

    # Pending invitations into both cohorts.
    for attr, cohort, marker, email in (
        ("invitation_a", world.cohort_a, A_MARKER, "newbie@alpha.test"),
        ("invitation_b", world.cohort_b, B_MARKER, "newbie@beta.test"),
    ):
        invitation = Invitation.objects.create(
            cohort=cohort,
            email=email,
            full_name=f"Newbie {marker}",
            language="en",
            time_zone="Europe/Berlin",
            expires_at=Invitation.default_expiry(),
        )
        setattr(world, attr, invitation)
    # Emails: M1's weekly nudge, A's invitation email, M_B's weekly nudge.
    now = timezone.now()
    for attr, recipient in (
        ("delivery_a", {"membership": world.m1, "to_email": "m1@alpha.test"}),
        ("delivery_invitation_a", {"invitation": world.invitation_a, "to_email": "newbie@alpha.test"}),
        ("delivery_b", {"membership": world.mb, "to_email": "mb@beta.test"}),
    ):
        kind = Kind.INVITATION if "invitation" in recipient else Kind.WEEKLY_NUDGE
        delivery = Delivery.objects.create(
            kind=kind, period_key="authz", due_at=now, state=DeliveryState.SENT, sent_at=now, **recipient
        )
        setattr(world, attr, delivery)
    world.unsubscribe_token = unsubscribe_token(world.m1.pk, Kind.WEEKLY_NUDGE)
    # Each facilitator edited their cohort in the admin: Wagtail's site history has a row for each.
    log(instance=world.cohort_a, action="wagtail.edit", user=users[FA])
    log(instance=world.cohort_b, action="wagtail.edit", user=users[FB])
    return world


# --- inbound mail ---------------------------------------------------------------------------------

INBOUND_MAIL = Path(__file__).resolve().parent / "inbound" / "mail"


def raw_mail(name, **values):
    """A raw message kept under tests/inbound/mail/, its {placeholders} filled in (bytes, CRLF)."""
    raw = (INBOUND_MAIL / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(f"{{{key}}}".encode(), value.encode())
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def expected_text(name):
    """What a fixture's reply says: the text its draft must hold exactly."""
    return (INBOUND_MAIL / name.replace(".eml", ".expected.txt")).read_text(encoding="utf-8")


def sent_delivery(membership, kind=Kind.WEEKLY_NUDGE, *, sent_at=None, **fields):
    """An email that went out to a member (the one a reply or bounce answers)."""
    sent_at = sent_at or timezone.now()
    return DeliveryFactory(
        membership=membership,
        kind=kind,
        state=DeliveryState.SENT,
        due_at=sent_at,
        sent_at=sent_at,
        to_email=membership.user.email,
        **fields,
    )


# --- publishing ---------------------------------------------------------------------------------


def make_ready_piece(*, body, membership=None, **fields):
    """A piece the facilitator marked ready to publish, shared with the circle, in Berlin."""
    membership = membership or MembershipFactory(time_zone="Europe/Berlin")
    return SubmissionFactory(
        membership=membership,
        title=fields.pop("title", "Listening first"),
        body=body,
        state="shared",
        shared_at=timezone.now(),
        ready_to_publish=True,
        **fields,
    )


class ConnectedAccountFactory(DjangoModelFactory):
    class Meta:
        model = "publishing.ConnectedAccount"

    user = factory.SubFactory(UserFactory)
    network = "mastodon"
    handle = "@alice@mastodon.example"
    remote_id = "1"
    service_url = "https://mastodon.example"
    secret = factory.Sequence(lambda n: f"secret-token-{n}-do-not-leak")


class MastodonAppFactory(DjangoModelFactory):
    class Meta:
        model = "publishing.MastodonApp"
        django_get_or_create = ("instance",)

    instance = "mastodon.example"
    client_id = "client-id-1"
    client_secret = "client-secret-1"


class PublicationFactory(DjangoModelFactory):
    """A piece posted on a network (posted, its URL recorded)."""

    class Meta:
        model = "publishing.Publication"

    submission = factory.SubFactory(SubmissionFactory)
    network = "mastodon"
    parts = factory.LazyAttribute(lambda publication: [publication.submission.body or "A post."])
    state = "posted"
    due_at = factory.LazyFunction(timezone.now)
    posted_at = factory.LazyFunction(timezone.now)
    posted = factory.Sequence(
        lambda n: [{"id": str(n), "uri": str(n), "cid": "", "url": f"https://mastodon.example/@a/{n}"}]
    )
    url = factory.LazyAttribute(lambda publication: publication.posted[0]["url"])


class ReplyFactory(DjangoModelFactory):
    """A reply on the network to a publication's first post (by_member=True: the member answering)."""

    class Meta:
        model = "publishing.Reply"

    publication = factory.SubFactory(PublicationFactory)
    remote_id = factory.Sequence(lambda n: f"reply-{n}")
    parent_id = factory.LazyAttribute(lambda reply: reply.publication.posted[0]["id"])
    author_handle = "@bob@mastodon.example"
    text = "Which part was hardest?"
    written_at = factory.LazyFunction(timezone.now)
