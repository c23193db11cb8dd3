"""Test data, in one place: factory_boy factories for the models, and plain functions where a
factory does not fit (Wagtail's page tree, many members at once, admin form posts).

Test files import their builders from here, never from another test file or from a conftest.
Named people for one test module are fixtures in that module (or in conftest.py), built from these:

    cohort = make_cohort(course_page, "Spring")
    anna = MembershipFactory(cohort=cohort, user__full_name="Anna Member")
    FeedbackFactory(submission=SubmissionFactory(membership=anna), author=facilitator.user)
"""

import datetime
import re
from types import SimpleNamespace

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Locale, Page, Site
from wagtail.test.utils.form_data import rich_text

from cohorts.models import Circle, Cohort, Invitation, Membership, Role
from course.models import CoursePage, HomePage, User
from lessons.models import Feedback, LessonPage, Submission, SubmissionVersion
from mail.models import Delivery, Kind

# --- the page tree ----------------------------------------------------------------------------


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


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


def make_course(home=None, *, title="Digital presence for leaders", slug="presence", **fields):
    fields.setdefault("intro", "<p>An honest presence, one post at a time.</p>")
    course = CoursePage(title=title, slug=slug, **fields)
    (home or make_home()).add_child(instance=course)
    return publish(course)


def any_course():
    """The course a factory uses when the test names none."""
    return CoursePage.objects.order_by("path").first() or make_course()


def make_lesson(course, title, *, offset=0, body=None, **extra):
    """A published lesson with some text and one short writing assignment, due three days in."""
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
                },
            ),
        ],
        **extra,
    )
    course.add_child(instance=lesson)
    return publish(lesson)


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
