"""The world of tests/test_authorization.py: two cohorts of one course, their people, and one of
everything that has an id in a URL. Every name and text of cohort B carries B_MARKER (A_MARKER for
cohort A), so a response that shows another cohort's data is caught by a substring check."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.log_actions import log

from cohorts.models import Circle, Cohort, Invitation, Membership, Role
from course.models import CoursePage, User
from lessons import writing
from lessons.models import Feedback, Visibility
from mail.models import Delivery, DeliveryState, Kind
from mail.nudges import unsubscribe_token
from tests.factories import make_home, make_lesson, publish

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
