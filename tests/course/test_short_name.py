"""A short name: asked when accepting an invitation ("What should we call you?"), editable on the
preferences page, and what every greeting uses; by default the first name without titles."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cohorts import invitations
from course.models import User
from course.names import short_name_from
from tests.factories import MembershipFactory, UserFactory, make_cohort

PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("full_name", "short"),
    [
        ("Jörg Müller", "Jörg"),
        ("Dr. Jörg Müller", "Jörg"),
        ("Prof. Dr. Anna Schmidt", "Anna"),
        ("Dr.-Ing. Hans Becker", "Hans"),
        ("Dr. med. Katrin Vogel", "Katrin"),
        ("Müller, Jörg", "Jörg"),
        ("Dr. Müller, Anna", "Anna"),
        ("  Mira   Schulz ", "Mira"),
        ("Dr.", ""),
        ("", ""),
        ("Drew Barrymore", "Drew"),  # a name is not a title because it starts like one
    ],
)
def test_the_default_short_name_is_the_first_name_without_titles(full_name, short):
    assert short_name_from(full_name) == short


def test_a_chosen_short_name_wins_over_the_derived_one():
    assert User(full_name="Dr. Katharina von Berg", short_name="Kathi").get_short_name() == "Kathi"
    assert User(full_name="Dr. Katharina von Berg").get_short_name() == "Katharina"
    # Wagtail's "first name" (sidebar, notifications) stays the name as written.
    assert User(full_name="Dr. Katharina von Berg").first_name == "Dr. Katharina von Berg"


@pytest.fixture
def invitation(course_page):
    cohort = make_cohort(course_page)
    return invitations.invite(cohort, email="joerg@example.com", full_name="Dr. Jörg Müller", language="en").invitation


@pytest.mark.django_db
def test_accepting_an_invitation_asks_what_to_call_you_filled_in_from_the_name(client, invitation):
    html = client.get(reverse("cohorts:accept_invitation", args=[invitation.token])).content.decode()
    assert "What should we call you?" in html
    assert 'name="short_name" value="Jörg"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "saved", "greeted"), [("  Jo  ", "Jo", "Jo"), ("", "", "Jörg")])
def test_the_short_name_typed_at_acceptance_is_saved_and_greets(client, invitation, typed, saved, greeted):
    response = client.post(
        reverse("cohorts:accept_invitation", args=[invitation.token]),
        {"full_name": "Dr. Jörg Müller", "short_name": typed, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="joerg@example.com")
    assert user.short_name == saved
    assert user.get_short_name() == greeted


@pytest.mark.django_db
def test_the_short_name_is_edited_on_the_preferences_page(client, course_page):
    membership = MembershipFactory(cohort=make_cohort(course_page), user=UserFactory(full_name="Prof. Anna Schmidt"))
    client.force_login(membership.user)
    page = client.get("/preferences/").content.decode()
    assert "What should we call you?" in page
    assert 'placeholder="Anna"' in page
    data = {
        "membership": membership.pk,
        "action": "save",
        "preferences-short_name": "Annie",
        "preferences-nudge_weekday": membership.nudge_weekday,
        "preferences-nudge_hour": membership.nudge_hour,
        "preferences-time_zone": membership.time_zone,
        "preferences-language": membership.language,
        "preferences-nudge_frequency": membership.nudge_frequency,
        "preferences-paused_until": "",
    }
    assert client.post("/preferences/", data).status_code == 302
    membership.user.refresh_from_db()
    assert membership.user.short_name == "Annie"
    bad = client.post("/preferences/", data | {"preferences-short_name": "Two\nlines"})
    assert bad.status_code == 200  # refused with a message, nothing lost
    membership.user.refresh_from_db()
    assert membership.user.short_name == "Annie"
