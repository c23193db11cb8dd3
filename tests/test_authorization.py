"""Every URL of the site with an id (or a token) in it, walked as seven people.

The URL list comes from the resolver: `test_every_url_with_an_id_is_mapped` fails when a new URL
with an id appears that CASES does not cover (or a mapped one disappears), so nobody adds an
unchecked URL. Each (case, person) pair is its own test and checks

* the status: 200 for those who may see it, 403/404 or a redirect to a login page for everyone
  else (anonymous people are always sent to a login page, except on token URLs);
* the body: no marker of data the person may not read (see MARKER_READERS in tests/factories.py):
  cohort B's names and texts for cohort A's people and vice versa, M1's draft for anyone but M1,
  the facilitator's feedback for anyone but M1, A's facilitator and staff;
* the database: a refused request (GET or POST) changes nothing.

The world is built once per module inside an outer transaction that is rolled back at the end;
each test runs in its own savepoint (pytest-django's `db`), so authorised POSTs change nothing for
the next test.
"""

import contextlib
import datetime
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cohorts.models import Circle, Cohort, CohortEvent, EventAnswer, Invitation, Membership
from course.models import User
from lessons.models import Feedback, PeerReview, PostLog, Response, Submission, SubmissionVersion
from mail.models import Delivery, FacilitatorNote, NudgeOptOut
from tests.factories import (
    A_MARKER,
    A_PEOPLE,
    ANON,
    B_MARKER,
    B_PEOPLE,
    DRAFT_MARKER,
    FA,
    FB,
    FEEDBACK_MARKER,
    M1,
    M2,
    MARKER_READERS,
    MB,
    ROLES,
    STAFF,
    PublicationFactory,
    World,
    build_world,
)

# --- what each person should get ------------------------------------------------------------

OK = "200"  # the page, for someone who may see it
ALLOWED = "allowed"  # an authorised POST got past the checks: no 403/404/405, no login, no 5xx
DENIED = "denied"  # 403/404, or a redirect to a login page or the admin home; nothing changes
LOGIN = "login"  # a redirect to a login page (anonymous); nothing changes
NOTHING = "nothing"  # any answer but a 5xx, as long as it shows and changes nothing it should not


@dataclass(frozen=True)
class Redirect:
    """A 302 to exactly this URL (e.g. lessons:write sends each person to their own cohort)."""

    to: Callable[[World, dict], str]  # (world, the URL's kwargs) -> the expected Location
    label: str

    def __str__(self):
        return f"redirect to {self.label}"


def who(*, ok=(), allowed=(), anon=LOGIN, rest=DENIED, special=None):
    """Expected outcome per role: `ok` get 200, `allowed` pass an authorised POST, `special` maps
    roles to any other outcome, everyone else gets `rest`; anonymous `anon` unless listed."""
    expect = {role: rest for role in ROLES}
    expect[ANON] = anon
    expect.update(dict.fromkeys(ok, OK))
    expect.update(dict.fromkeys(allowed, ALLOWED))
    expect.update(special or {})
    return expect


@dataclass(frozen=True)
class Case:
    name: str  # the URL pattern's namespaced name
    kwargs: Callable[[World], dict]
    expect: dict
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    token: bool = False  # the token in the URL is the credential: its cohort's data may show to its holder
    variant: str = ""
    query: Callable[[World], dict] | None = None  # ids passed in the query string
    unchanged_for_all: bool = False  # even authorised requests must change nothing
    # The authorised POST must change the database: proves the payload would matter if a refused
    # person's request got through (so "nothing changed" is not true by accident).
    effective: bool = False
    shows: tuple = ()  # markers a 200 must contain (proves the page shows the object at all)

    @property
    def id(self):
        return f"{self.name}[{self.variant or self.method}]"


def piece_kwargs(world):
    return {"pk": world.piece.pk}


def cohort_a_kwargs(world):
    return {"cohort_id": world.cohort_a.pk}


def admin_a_kwargs(world):
    return {"pk": world.cohort_a.pk}


def m1_user_kwargs(world):
    return {"pk": world.users[M1].pk}


def m1_relationship(world):
    """A person on M1's relationships list (practice pages): only M1 may open it."""
    from lessons.models import Relationship

    return Relationship.objects.get_or_create(membership=world.m1, name=f"Dana {A_MARKER}")[0]


def a_event(world):
    """A Work Out Loud meetup of cohort A."""
    return CohortEvent.objects.get_or_create(
        cohort=world.cohort_a,
        name=f"Meetup {A_MARKER}",
        defaults={"date": world.cohort_a.start_date + datetime.timedelta(days=30), "hashtag": "WOL"},
    )[0]


def m1_post(world):
    """A public post M1 recorded outside the assignments: only M1 may correct or remove it."""
    return PostLog.objects.get_or_create(
        membership=world.m1,
        url="https://www.linkedin.com/posts/m1-alpha",
        defaults={"platform": "linkedin", "posted_on": world.cohort_a.start_date},
    )[0]


def m1_publication(world):
    """A post of M1's piece scheduled for tomorrow on Mastodon: only M1 may cancel it."""
    return PublicationFactory(
        submission=world.piece,
        state="pending",
        due_at=timezone.now() + datetime.timedelta(days=1),
        posted_at=None,
        posted=[],
        url="",
    )


def editor_data(world):
    """A save that would overwrite M1's text if it got through."""
    return {"title": "HACKED", "body": "HACKED", "base_version": world.piece.version, "kind": "save"}


def resolve_data(world):
    return {**editor_data(world), "choice": "keep_mine", "conflict_version": world.piece.version}


def cohort_edit_data(world):
    cohort = world.cohort_a
    data = {
        "course": cohort.course_id,
        "name": f"Renamed {A_MARKER}",
        "organisation": cohort.organisation,
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "cadence_days": cohort.cadence_days,
        "release_hour": cohort.release_hour,
        "time_zone": cohort.time_zone,
        "language": cohort.language,
        "hashtag": cohort.hashtag,
    }
    for formset in ("lesson_dates", "events"):
        data.update(
            {
                f"{formset}-TOTAL_FORMS": "0",
                f"{formset}-INITIAL_FORMS": "0",
                f"{formset}-MIN_NUM_FORMS": "0",
                f"{formset}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


A_READERS = (M1, M2, FA, STAFF)  # may read M1's circle piece: author, circle-mate, facilitator, staff
A_ADMINS = (FA, STAFF)
LOGGED_IN = tuple(role for role in ROLES if role != ANON)

CASES = [
    # --- invitations, calendar, unsubscribe: the token is the credential --------------------------
    Case(
        "cohorts:accept_invitation",
        lambda w: {"token": w.invitation_a.token},
        # Anyone signed in is not the invitee: 403 "wrong account"; the sign-up form is for anonymous.
        who(anon=OK),
        token=True,
        shows=(A_MARKER,),
    ),
    Case(
        "cohorts:renew_invitation",
        lambda w: {"token": w.invitation_a.token},
        # A link that is still valid is never renewed: back to the accept page, for anyone.
        {role: Redirect(lambda w, kw: reverse("cohorts:accept_invitation", kwargs=kw), "accept") for role in ROLES},
        method="POST",
        token=True,
        unchanged_for_all=True,
    ),
    Case("cohorts:calendar", lambda w: {"token": w.m1.calendar_token}, who(ok=ROLES), token=True, shows=(A_MARKER,)),
    Case("mail:unsubscribe", lambda w: {"token": w.unsubscribe_token}, who(ok=ROLES), token=True, shows=(A_MARKER,)),
    # --- the member's cohort home and feed ----------------------------------------------------------
    Case("progress:cohort_home", cohort_a_kwargs, who(ok=A_PEOPLE), shows=(A_MARKER,)),
    Case("progress:event", lambda w: {"pk": a_event(w).pk}, who(ok=A_PEOPLE), shows=(A_MARKER,)),
    Case(
        "progress:event",
        lambda w: {"pk": a_event(w).pk},
        who(allowed=A_PEOPLE),
        method="POST",
        data=lambda w: {"action": "going"},
        effective=True,
    ),
    Case("cohorts:reset_calendar", cohort_a_kwargs, who(allowed=A_PEOPLE), method="POST", effective=True),
    Case("circle:feed", cohort_a_kwargs, who(ok=(*A_PEOPLE, STAFF)), shows=(A_MARKER,)),
    Case("progress:relationship", lambda w: {"pk": m1_relationship(w).pk}, who(ok=[M1]), shows=(A_MARKER,)),
    # --- writing: only the author ------------------------------------------------------------------
    Case(
        "lessons:write",
        lambda w: {"lesson_id": w.lesson.pk, "assignment_id": w.assignment_id},
        # The lesson belongs to both cohorts' course: each person is sent to their own cohort.
        who(
            special={
                **{
                    role: Redirect(
                        lambda w, kw: reverse("lessons:start", args=[w.cohort_a.pk, w.lesson.pk, w.assignment_id]),
                        "start in cohort A",
                    )
                    for role in A_PEOPLE
                },
                **{
                    role: Redirect(
                        lambda w, kw: reverse("lessons:start", args=[w.cohort_b.pk, w.lesson.pk, w.assignment_id]),
                        "start in cohort B",
                    )
                    for role in B_PEOPLE
                },
            }
        ),
    ),
    Case(
        "lessons:start",
        lambda w: {"cohort_id": w.cohort_a.pk, "lesson_id": w.lesson.pk, "assignment_id": w.assignment_id},
        who(
            allowed=(M2, FA),  # their own (new) piece in A
            special={M1: Redirect(lambda w, kw: reverse("lessons:editor", args=[w.piece.pk]), "M1's piece")},
        ),
    ),
    Case("lessons:editor", piece_kwargs, who(ok=[M1]), shows=(A_MARKER, FEEDBACK_MARKER)),
    Case("publishing:piece", piece_kwargs, who(ok=[M1])),
    Case(
        "publishing:cancel",
        lambda w: {"pk": m1_publication(w).pk},
        who(allowed=[M1]),
        method="POST",
    ),
    Case(
        "lessons:editor",
        lambda w: {"pk": w.draft.pk},
        who(ok=[M1]),
        variant="M1's draft",
        shows=(DRAFT_MARKER,),
    ),
    Case("lessons:save", piece_kwargs, who(allowed=[M1]), method="POST", data=editor_data, effective=True),
    Case("lessons:resolve", piece_kwargs, who(allowed=[M1]), method="POST", data=resolve_data, effective=True),
    Case("lessons:versions", piece_kwargs, who(ok=[M1]), shows=(A_MARKER,)),
    Case("lessons:version", lambda w: {"pk": w.piece.pk, "number": 1}, who(ok=[M1]), shows=(A_MARKER,)),
    Case(
        "lessons:restore",
        lambda w: {"pk": w.piece.pk, "number": 1},
        who(allowed=[M1]),
        method="POST",
        data=lambda w: {"base_version": w.piece.version},
        effective=True,
    ),
    Case(
        "lessons:share",
        piece_kwargs,
        who(allowed=[M1]),
        method="POST",
        data=lambda w: {"visibility": "cohort"},  # would widen the audience
        effective=True,
    ),
    Case("lessons:publish", piece_kwargs, who(ok=[M1]), shows=(A_MARKER,)),
    Case(
        "lessons:publish",
        piece_kwargs,
        who(allowed=[M1]),
        method="POST",
        data=lambda w: {
            "action": "record",
            "url": "https://www.linkedin.com/posts/hacked",
            "platform": "linkedin",
            "posted_on": timezone.localdate(timezone=w.m1.zone).isoformat(),  # M1's today
        },
        effective=True,
    ),
    Case("lessons:preview", piece_kwargs, who(ok=[M1]), method="POST", data=lambda w: {"body": "Preview."}),
    Case("lessons:post_edit", lambda w: {"pk": m1_post(w).pk}, who(ok=[M1])),
    Case(
        "lessons:post_edit",
        lambda w: {"pk": m1_post(w).pk},
        who(allowed=[M1]),
        method="POST",
        data=lambda w: {
            "url": "https://www.linkedin.com/posts/corrected",
            "platform": "linkedin",
            "posted_on": w.cohort_a.start_date.isoformat(),
        },
        effective=True,
    ),
    Case("lessons:post_remove", lambda w: {"pk": m1_post(w).pk}, who(allowed=[M1]), method="POST", effective=True),
    # --- the circle: shared pieces for the circle, the facilitator and staff -------------------------
    Case("circle:piece", piece_kwargs, who(ok=A_READERS), shows=(A_MARKER,)),
    # A draft is nobody's to read in the circle, not even its author's (they have the editor).
    Case("circle:piece", lambda w: {"pk": w.draft.pk}, who(), variant="M1's draft"),
    Case(
        "circle:respond",
        piece_kwargs,
        # Only members of the cohort respond; facilitators and staff read only (403).
        who(allowed=(M1, M2)),
        method="POST",
        data=lambda w: {"body": "HACKED response"},
        effective=True,
    ),
    # --- portfolio: one's own writing only ----------------------------------------------------------
    Case("circle:portfolio", lambda w: {"fmt": "json"}, who(ok=LOGGED_IN), variant="json"),
    Case("circle:portfolio", lambda w: {"fmt": "zip"}, who(ok=LOGGED_IN), variant="zip"),
    Case(
        "circle:cohort_portfolio",
        lambda w: {"cohort_id": w.cohort_a.pk, "fmt": "json"},
        who(ok=A_PEOPLE),
        variant="json",
    ),
    Case(
        "circle:cohort_portfolio",
        lambda w: {"cohort_id": w.cohort_a.pk, "fmt": "zip"},
        who(ok=A_PEOPLE),
        variant="zip",
    ),
    # --- the feedback queue (Wagtail admin) ---------------------------------------------------------
    Case("lessons_feedback:piece", piece_kwargs, who(ok=A_ADMINS), shows=(A_MARKER, FEEDBACK_MARKER)),
    # Facilitators give feedback on shared pieces only: a draft's id is a 404 for everyone.
    Case("lessons_feedback:piece", lambda w: {"pk": w.draft.pk}, who(), variant="M1's draft"),
    Case(
        "lessons_feedback:piece",
        piece_kwargs,
        who(allowed=A_ADMINS),
        method="POST",
        data=lambda w: {"body": "HACKED feedback", "verdict": "revise", "version": w.piece.version},
        effective=True,
    ),
    # --- cohort admin (Wagtail admin): A's facilitator and staff --------------------------------------
    Case("cohort_admin:overview", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case(
        "cohort_admin:overview",
        admin_a_kwargs,
        who(allowed=A_ADMINS),
        method="POST",
        data=lambda w: {"action": "move", "membership": w.m2.pk, "circle": ""},
        variant="POST move member",
        effective=True,
    ),
    Case("cohort_admin:edit", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case(
        "cohort_admin:edit", admin_a_kwargs, who(allowed=A_ADMINS), method="POST", data=cohort_edit_data, effective=True
    ),
    Case("cohort_admin:dashboard", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case("cohort_admin:dashboard_progress_csv", admin_a_kwargs, who(ok=A_ADMINS)),
    Case("cohort_admin:dashboard_summary_csv", admin_a_kwargs, who(ok=A_ADMINS)),
    Case("cohort_admin:stuck", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case(
        "cohort_admin:stuck_note",
        admin_a_kwargs,
        who(ok=A_ADMINS),
        query=lambda w: {"member": w.m1.pk, "reason": "quiet"},
        shows=(A_MARKER,),
    ),
    Case(
        "cohort_admin:stuck_note",
        admin_a_kwargs,
        who(allowed=A_ADMINS),
        method="POST",
        data=lambda w: {"member": w.m1.pk, "subject": "HACKED", "body": "HACKED note"},
        effective=True,
    ),
    Case("cohort_admin:stuck_message", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case(
        "cohort_admin:event_attendance",
        lambda w: {"pk": w.cohort_a.pk, "event_id": a_event(w).pk},
        who(ok=A_ADMINS),
        shows=(A_MARKER,),
    ),
    Case(
        "cohort_admin:remove_member",
        lambda w: {"pk": w.cohort_a.pk, "membership_id": w.m2.pk},
        who(ok=A_ADMINS),
        shows=(A_MARKER,),
    ),
    Case(
        "cohort_admin:remove_member",
        lambda w: {"pk": w.cohort_a.pk, "membership_id": w.m2.pk},
        who(allowed=A_ADMINS),
        method="POST",
        effective=True,
    ),
    Case("cohort_admin:invite", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case(
        "cohort_admin:invite",
        admin_a_kwargs,
        who(allowed=A_ADMINS),
        method="POST",
        data=lambda w: {
            "email": "intruder@evil.test",
            "full_name": "Intruder",
            "language": "en",
            "time_zone": "Europe/Berlin",
            # A member: only staff may invite facilitators (tests/cohorts/test_admin_cohorts.py).
            "role": "member",
        },
        effective=True,
    ),
    Case("cohort_admin:import", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case(
        "cohort_admin:confirm_import",
        admin_a_kwargs,
        who(allowed=A_ADMINS),
        method="POST",
        data=lambda w: {"token": "not-a-real-import-token"},
    ),
    # Only staff delete cohorts: A's own facilitator is refused too.
    Case("cohort_admin:delete", admin_a_kwargs, who(ok=[STAFF]), shows=(A_MARKER,)),
    Case("cohort_admin:delete", admin_a_kwargs, who(allowed=[STAFF]), method="POST", effective=True),
    Case("cohort_admin:history", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    Case("cohort_admin:history_results", admin_a_kwargs, who(ok=A_ADMINS)),
    Case("cohort_admin:usage", admin_a_kwargs, who(ok=A_ADMINS), shows=(A_MARKER,)),
    # --- the Deliveries report (Wagtail admin): A's facilitator and staff ------------------------------
    Case(
        "cohort_deliveries:detail",
        lambda w: {"pk": w.delivery_a.pk},
        who(ok=A_ADMINS),
        variant="member email",
        shows=(A_MARKER,),
    ),
    Case(
        "cohort_deliveries:detail",
        lambda w: {"pk": w.delivery_invitation_a.pk},
        who(ok=A_ADMINS),
        variant="invitation email",
        shows=(A_MARKER,),
    ),
    Case("cohort_deliveries:send_now", cohort_a_kwargs, who(allowed=A_ADMINS), method="POST", effective=True),
    # --- nudge preferences: ids in the query string and the form ------------------------------------
    Case(
        "mail:preferences",
        lambda w: {},
        # Staff have no membership: an empty page, nothing of A.
        who(ok=(*A_PEOPLE, STAFF)),
        query=lambda w: {"cohort": w.cohort_a.pk},
        variant="GET ?cohort=A",
    ),
    Case(
        "mail:preferences",
        lambda w: {},
        # Saving with M1's membership id: only M1. Staff (no membership) get the empty page, nothing saved.
        who(allowed=[M1], special={STAFF: NOTHING}),
        method="POST",
        data=lambda w: {
            "membership": w.m1.pk,
            "preferences-nudge_weekday": 4,
            "preferences-nudge_hour": 17,
            "preferences-time_zone": "Asia/Tokyo",
            "preferences-language": "de",
            "preferences-nudge_frequency": "off",
            "preferences-paused_until": "",
            "preferences-opt_outs": ["weekly_nudge"],
        },
        variant="POST membership=M1",
        effective=True,
    ),
    # --- user accounts (Wagtail's user admin on course.User, course.viewsets): staff only --------------
    Case("wagtailusers_users:edit", m1_user_kwargs, who(ok=[STAFF])),
    Case(
        "wagtailusers_users:edit",
        m1_user_kwargs,
        who(allowed=[STAFF]),
        method="POST",
        data=lambda w: {
            "email": "hacked@evil.test",
            "full_name": "HACKED",
            "language": "en",
            "time_zone": "Europe/Berlin",
            "is_active": "on",
        },
        effective=True,
    ),
    Case("wagtailusers_users:delete", m1_user_kwargs, who(ok=[STAFF])),
    Case("wagtailusers_users:history", m1_user_kwargs, who(ok=[STAFF])),
    Case("wagtailusers_users:history_results", m1_user_kwargs, who(ok=[STAFF])),
    Case("wagtailusers_users:usage", m1_user_kwargs, who(ok=[STAFF])),
    Case("wagtailusers_users:copy", m1_user_kwargs, who(ok=[STAFF])),
]

# URLs with an id that the walk leaves out on purpose, and why.
EXCLUDED = {
    "publishing:disconnect": "acts only on the signed-in person's own account (a network name, not an id)",
    "password_reset_confirm": "Django's own password reset (uidb64 + one-time token): no cohort data",
    r"^media/(?P<path>.*)$": "uploaded files, served only with DEBUG=1 in development",
}

# URLs without a path parameter that take ids in the query string or the form: walked too.
QUERY_ID_URLS = {
    "mail:preferences": "?cohort=<cohort id> and the form's membership=<membership id>",
}

# --- which URLs have an id ------------------------------------------------------------------

OUR_APPS = ("config", "course", "cohorts", "lessons", "mail", "progress", "demo")
OUR_NAMESPACES = {
    "cohort_admin",
    "cohort_deliveries",
    "lessons_feedback",
    "cohorts",
    "lessons",
    "circle",
    "mail",
    "progress",
}


def _view_model(callback):
    model = getattr(callback, "view_initkwargs", {}).get("model") or getattr(
        getattr(callback, "view_class", None), "model", None
    )
    return model if hasattr(model, "_meta") else None


def _is_ours(namespaces, callback):
    """Registered by our apps: our namespace, a view in our code, or an admin view of our model.
    Wagtail's own admin (pages, images, documents, sites, groups, workflows ...) is not."""
    model = _view_model(callback)
    module = getattr(callback, "__module__", "") or ""
    return (
        bool(namespaces and namespaces[0] in OUR_NAMESPACES)
        or module.split(".")[0] in OUR_APPS
        or (model is not None and model._meta.app_label in OUR_APPS)
        or not module.startswith("wagtail.")
    )


def _walk(patterns, prefix="", namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield namespaces, pattern, prefix + str(pattern.pattern)


def discovered_patterns():
    """{key: route} of every URL pattern with a converter or group, outside Wagtail's own admin.
    The key is the namespaced name (the route when a pattern has no name)."""
    found = {}
    for namespaces, pattern, route in _walk(get_resolver().url_patterns):
        has_parameters = pattern.pattern.regex.groups > 0 or getattr(pattern.pattern, "converters", None)
        if has_parameters and _is_ours(namespaces, pattern.callback):
            key = ":".join((*namespaces, pattern.name)) if pattern.name else route
            found[key] = route
    return found


def test_every_url_with_an_id_is_mapped():
    discovered = discovered_patterns()
    mapped = {case.name for case in CASES}
    unmapped = sorted(set(discovered) - mapped - set(EXCLUDED))
    stale = sorted(mapped - set(discovered) - set(QUERY_ID_URLS))
    assert not unmapped, (
        "New URL(s) with an id that no authorization case covers; add them to CASES in "
        f"tests/test_authorization.py (or to EXCLUDED with a reason): {[(k, discovered[k]) for k in unmapped]}"
    )
    assert not stale, f"CASES name URL patterns that no longer exist: {stale}"


# --- the world, once per module -------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def db_state():
    """Everything a refused request could have changed (read markers and sessions aside)."""
    return {
        "submissions": list(
            Submission.objects.order_by("pk").values_list(
                "pk",
                "membership_id",
                "title",
                "body",
                "version",
                "state",
                "visibility",
                "shared_at",
                "published_at",
                "ready_to_publish",
                "revision_count",
                "updated_at",
            )
        ),
        "versions": list(SubmissionVersion.objects.order_by("pk").values_list("pk", "submission_id", "number")),
        "responses": list(Response.objects.order_by("pk").values_list("pk", "submission_id", "author_id", "body")),
        "feedback": list(Feedback.objects.order_by("pk").values_list("pk", "submission_id", "body", "verdict")),
        "reviews": list(PeerReview.objects.order_by("pk").values_list("pk", "reviewer_id", "responded_at")),
        "posts": list(PostLog.objects.order_by("pk").values_list("pk", "membership_id", "url")),
        "memberships": list(
            Membership.objects.order_by("pk").values_list(
                "pk",
                "user_id",
                "cohort_id",
                "role",
                "circle_id",
                "calendar_token",
                "unsubscribed_at",
                "nudge_weekday",
                "nudge_hour",
                "nudge_frequency",
                "paused_until",
                "language",
                "time_zone",
            )
        ),
        "opt_outs": list(NudgeOptOut.objects.order_by("pk").values_list("pk", "membership_id", "kind")),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list("pk", "cohort_id", "email", "nonce", "expires_at", "role")
        ),
        "deliveries": list(Delivery.objects.order_by("pk").values_list("pk", "state", "flagged")),
        "cohorts": list(Cohort.objects.order_by("pk").values_list("pk", "name", "start_date", "end_date")),
        "circles": list(Circle.objects.order_by("pk").values_list("pk", "cohort_id", "name")),
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "full_name", "is_active", "password")),
        "event_answers": list(
            EventAnswer.objects.order_by("pk").values_list("pk", "event_id", "membership_id", "going", "attended")
        ),
        "notes": list(FacilitatorNote.objects.order_by("pk").values_list("pk", "cohort_id", "subject")),
    }


def body_text(response):
    """The text a person receives: zip archives unpacked, iCal lines unfolded."""
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if response.get("Content-Type", "").startswith("application/zip") and content:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):
            text += json.dumps(json.loads(text), ensure_ascii=False)
    return text.replace("\r\n ", "").replace("\n ", "")


def _login_paths():
    return {urlsplit(reverse("login")).path, urlsplit(reverse("wagtailadmin_login")).path}


def _denied_redirect_paths():
    return _login_paths() | {reverse("wagtailadmin_home")}


def outcome_problem(expected, response, world, kwargs):
    """None when the response is what `expected` describes, else why not."""
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path if status in (301, 302, 303) else None
    got = f"{status}" + (f" -> {response['Location']}" if location is not None else "")
    if expected == OK:
        ok = status == 200
    elif expected == LOGIN:
        ok = location in _login_paths()
    elif expected == DENIED:
        ok = status in (403, 404) or location in _denied_redirect_paths()
    elif expected == NOTHING:
        ok = status < 500
    elif expected == ALLOWED:
        ok = status < 500 and status not in (403, 404, 405) and location not in _denied_redirect_paths()
    elif isinstance(expected, Redirect):
        ok = location == expected.to(world, kwargs)
    else:
        raise AssertionError(f"unknown expectation {expected!r}")
    return None if ok else f"expected {expected}, got {got}"


def leaks(case, role, text):
    """Markers of data `role` may not read that appear in the response."""
    found = []
    for marker, readers in MARKER_READERS.items():
        if role in readers or (case.token and marker == A_MARKER):
            continue
        if marker in text:
            found.append(marker)
    return found


PAIRS = [pytest.param(case, role, id=f"{case.id}-{role}") for case in CASES for role in ROLES]


@pytest.mark.parametrize(("case", "role"), PAIRS)
def test_url_as_person(world, db, case, role):
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    kwargs = case.kwargs(world)
    url = reverse(case.name, kwargs=kwargs)
    expected = case.expect[role]
    refused = expected in (DENIED, LOGIN, NOTHING)
    must_change = expected == ALLOWED and case.effective
    before = db_state() if refused or case.unchanged_for_all or must_change else None

    if case.method == "POST":
        response = client.post(url, case.data(world) if case.data else {})
    else:
        response = client.get(url, case.query(world) if case.query else {})

    problems = []
    if problem := outcome_problem(expected, response, world, kwargs):
        problems.append(problem)
    if user is not None and not {"no-store", "private"} <= cache_directives(response):
        problems.append(f"a signed-in person's page may be cached: Cache-Control {response.get('Cache-Control')!r}")
    text = body_text(response)
    if leaked := leaks(case, role, text):
        problems.append(f"response leaks data {role} may not read: {leaked}")
    if expected == OK and response.status_code == 200:
        missing = [marker for marker in case.shows if role in MARKER_READERS[marker] and marker not in text]
        if missing:
            problems.append(f"the page does not show the object ({missing} missing): is the mapping still right?")
    if before is not None:
        after = db_state()
        changed = sorted(key for key in before if before[key] != after[key])
        if must_change and not changed:
            problems.append("the authorised POST changed nothing: the payload no longer exercises the endpoint")
        elif changed and not must_change:
            problems.append(f"a refused request changed the database: {changed}")
    assert not problems, f"{case.method} {url} as {role}: " + "; ".join(problems)


def cache_directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


# --- every member page without an id: never cached -------------------------------------------


def member_pages_without_ids():
    """{name: path} of our URL patterns that take no argument, outside the admin (lessons,
    cohorts, circles, account pages)."""
    found = {}
    for namespaces, pattern, route in _walk(get_resolver().url_patterns):
        has_parameters = pattern.pattern.regex.groups > 0 or getattr(pattern.pattern, "converters", None)
        in_admin = route.lstrip("^").startswith(settings.KLARTEXT_ADMIN_PREFIX[1:])
        if not has_parameters and pattern.name and not in_admin and _is_ours(namespaces, pattern.callback):
            name = ":".join((*namespaces, pattern.name))
            found[name] = reverse(name)
    return found


MEMBER_PAGES = member_pages_without_ids()


@pytest.mark.parametrize("role", (M1, FA))
@pytest.mark.parametrize("name", sorted(MEMBER_PAGES))
def test_every_page_for_a_signed_in_person_is_never_cached(world, db, name, role):
    client = Client()
    client.force_login(world.users[role])

    response = client.get(MEMBER_PAGES[name])

    assert {"no-store", "private"} <= cache_directives(response), (name, response.get("Cache-Control"))


def test_the_member_walk_covers_the_private_writing_pages():
    assert {"lessons:posts", "circle:index", "progress:practice", "mail:preferences", "delete_account"} <= set(
        MEMBER_PAGES
    )


# --- every Wagtail admin page without an id, as the facilitators -------------------------------

FACILITATORS = (FA, FB)


def admin_pages_without_ids():
    """{name: path} of every admin URL pattern that takes no argument (Wagtail's own and ours),
    the reports under /admin/reports/ included."""
    found = {}
    for namespaces, pattern, route in _walk(get_resolver().url_patterns):
        has_parameters = pattern.pattern.regex.groups > 0 or getattr(pattern.pattern, "converters", None)
        if not has_parameters and pattern.name and route.lstrip("^").startswith(settings.KLARTEXT_ADMIN_PREFIX[1:]):
            name = ":".join((*namespaces, pattern.name))
            found[name] = reverse(name)
    return found


# Left out: Wagtail's deliberate server error for testing error reporting (it only raises).
ADMIN_PAGES = {name: path for name, path in admin_pages_without_ids().items() if name != "wagtailadmin_error_test"}
SITE_REPORTS = sorted(name for name in ADMIN_PAGES if name.startswith("wagtailadmin_reports:"))


@dataclass(frozen=True)
class _AdminPage:
    token: bool = False


@pytest.mark.parametrize("role", FACILITATORS)
@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_no_admin_page_without_an_id_shows_a_facilitator_another_cohort(world, db, name, role):
    client = Client()
    client.force_login(world.users[role])

    response = client.get(ADMIN_PAGES[name])

    assert response.status_code < 500, f"{name} as {role}: {response.status_code}"
    assert not leaks(_AdminPage(), role, body_text(response)), f"{name} as {role} leaks another cohort"
    if name in SITE_REPORTS:
        assert response.status_code == 403, f"{name} as {role}: Wagtail's site-wide reports are for staff"


def test_the_walk_includes_every_wagtail_report():
    assert {"wagtailadmin_reports:site_history", "wagtailadmin_reports:locked_pages"} <= set(SITE_REPORTS)
    assert len(SITE_REPORTS) >= 12


@pytest.mark.parametrize("name", SITE_REPORTS)
def test_staff_still_see_wagtail_reports(world, db, name):
    client = Client()
    client.force_login(world.users[STAFF])

    response = client.get(ADMIN_PAGES[name])

    assert response.status_code == 200
    if name == "wagtailadmin_reports:site_history":
        assert A_MARKER in body_text(response) and B_MARKER in body_text(response)


@pytest.mark.parametrize("role", (FA, STAFF))
def test_the_reports_menu_lists_wagtail_reports_for_staff_only(world, db, role):
    client = Client()
    client.force_login(world.users[role])

    text = body_text(client.get(reverse("wagtailadmin_home")))

    shown = [name for name in SITE_REPORTS if not name.endswith("_results") and ADMIN_PAGES[name] in text]
    assert bool(shown) == (role == STAFF), shown


def test_the_world_is_what_the_matrix_assumes(world, db):
    """Guards the premises: M1's piece is shared with the circle, has a response and feedback, is
    ready to publish; cohort B is on the same course (so a lesson id alone never scopes)."""
    assert world.piece.shared_at is not None and world.piece.visibility == "circle"
    assert world.piece.ready_to_publish and world.piece.version == 2
    assert world.piece.responses.exists() and world.piece.feedback.exists()
    assert world.draft.shared_at is None
    assert world.cohort_a.course_id == world.cohort_b.course_id
    assert world.m1.circle_id == world.m2.circle_id == world.circle_a.pk
    assert world.delivery_a.membership_id == world.m1.pk and world.delivery_invitation_a.invitation_id
    assert A_MARKER in world.cohort_a.name and B_MARKER in world.cohort_b.name
    assert world.mb.user_id == world.users[MB].pk
    assert set(ROLES) == {ANON, STAFF} | A_PEOPLE | B_PEOPLE
