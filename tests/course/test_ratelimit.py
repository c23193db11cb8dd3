"""Rate limits on the doors that need no sign-in: accepting an invitation and asking for a
password reset. Over the limit: 429, a clear message, what the person typed kept, nothing done."""

import datetime
import math
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cohorts import invitations
from cohorts.models import Cohort, Membership
from course import ratelimit
from course.models import User

PASSWORD = "a-long-and-unusual-passphrase-42"
OFFICE = "203.0.113.7"


def next_hour():
    """The start of a window of every limit (a whole hour is also a whole quarter hour)."""
    return datetime.datetime.fromtimestamp(math.ceil(time.time() / 3600) * 3600, tz=datetime.UTC)


# --- the counter ------------------------------------------------------------------------------

SMALL = ratelimit.Limit("test-small", 2, 60)


def test_a_key_is_allowed_up_to_its_limit_in_a_window_then_refused_until_the_next():
    start = 1_800_000_000.0  # the start of a 60-second window

    assert [bool(ratelimit.hit((SMALL, "k"), now=start + i)) for i in range(3)] == [True, True, False]
    refused = ratelimit.hit((SMALL, "k"), now=start + 10)
    assert refused.retry_after == 50 and refused.retry_minutes == 1
    assert ratelimit.hit((SMALL, "k"), now=start + 60)  # a new window


def test_keys_and_limits_count_separately_and_any_full_one_refuses():
    other = ratelimit.Limit("test-other", 5, 60)
    now = 1_800_000_000.0
    ratelimit.hit((SMALL, "a"), now=now)
    ratelimit.hit((SMALL, "a"), now=now)

    assert ratelimit.hit((SMALL, "b"), (other, "a"), now=now)
    assert not ratelimit.hit((SMALL, "a"), (other, "c"), now=now)


def test_an_empty_key_is_not_counted():
    now = 1_800_000_000.0
    for _ in range(5):
        assert ratelimit.hit((SMALL, ""), now=now)


def test_the_cache_never_holds_the_email_or_token_itself():
    key = ratelimit._cache_key(SMALL, "anna@acme.test", 7)

    assert "anna" not in key and "acme" not in key


# --- accepting an invitation -------------------------------------------------------------------


@pytest.fixture
def invitation(course_page):
    cohort = Cohort.objects.create(
        course=course_page, name="Acme", start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 5, 1)
    )
    return invitations.invite(cohort, email="jonas@example.com", full_name="Jonas Weber", language="en").invitation


def try_to_join(client, invitation, address=OFFICE, **data):
    return client.post(
        reverse("cohorts:accept_invitation", args=[invitation.token]),
        {"full_name": "Jonas Maria Weber", "password1": PASSWORD, "password2": "typo", **data},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_too_many_tries_on_one_invitation_link_answer_429_and_keep_the_name(client, invitation):
    limit = ratelimit.INVITATION_PER_TOKEN.count
    with time_machine.travel(next_hour(), tick=False):
        for _ in range(limit):
            assert try_to_join(client, invitation).status_code == 200  # "not the same" passwords

        response = try_to_join(client, invitation, password2=PASSWORD)  # now right, but too late

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts in a short time" in html
    assert "15 minutes" in html
    assert 'value="Jonas Maria Weber"' in html
    assert PASSWORD not in html
    assert not User.objects.filter(email="jonas@example.com").exists()


@pytest.mark.django_db
def test_after_the_window_the_link_works_again(client, invitation):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(ratelimit.INVITATION_PER_TOKEN.count + 1):
            try_to_join(client, invitation)
        clock.move_to(start + datetime.timedelta(seconds=ratelimit.INVITATION_PER_TOKEN.seconds + 1))

        response = try_to_join(client, invitation, password2=PASSWORD)

    assert response.status_code == 302
    assert Membership.objects.filter(user__email="jonas@example.com").exists()


@pytest.mark.django_db
def test_one_address_flooding_many_links_is_limited_too(client, course_page, monkeypatch):
    monkeypatch.setattr(ratelimit, "INVITATION_PER_IP", ratelimit.Limit("invitation-ip", 3, 15 * 60))
    cohort = Cohort.objects.create(
        course=course_page, name="Acme", start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 5, 1)
    )
    links = [invitations.invite(cohort, email=f"p{i}@example.com", language="en").invitation for i in range(4)]
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [try_to_join(client, link).status_code for link in links]
        from_elsewhere = try_to_join(client, links[3], address="198.51.100.20")

    assert statuses == [200, 200, 200, 429]
    assert from_elsewhere.status_code == 200


@pytest.mark.django_db
def test_opening_the_link_is_never_limited(client, invitation):
    for _ in range(ratelimit.INVITATION_PER_TOKEN.count + 2):
        response = client.get(reverse("cohorts:accept_invitation", args=[invitation.token]), REMOTE_ADDR=OFFICE)

    assert response.status_code == 200


# --- password reset ---------------------------------------------------------------------------


def ask_for_reset(client, email, address=OFFICE, path=None):
    return client.post(path or reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_reset_emails_for_one_address_stop_at_the_limit_and_the_form_keeps_the_address(client, mailoutbox):
    User.objects.create_user(email="anna@acme.test", password=PASSWORD, full_name="Anna")
    limit = ratelimit.PASSWORD_RESET_PER_EMAIL.count
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(limit):
            assert ask_for_reset(client, "anna@acme.test").status_code == 302
        # Typed differently, still the same inbox.
        response = ask_for_reset(client, " Anna@ACME.test", address="198.51.100.20")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts in a short time" in html
    assert 'value=" Anna@ACME.test"' in html
    assert len(mailoutbox) == limit


@pytest.mark.django_db
def test_reset_requests_for_unknown_addresses_are_limited_alike(client, mailoutbox):
    """The answer must not tell whether an account exists: unknown addresses count the same."""
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            ask_for_reset(client, "nobody@acme.test").status_code
            for _ in range(ratelimit.PASSWORD_RESET_PER_EMAIL.count + 1)
        ]

    assert statuses[-1] == 429 and set(statuses[:-1]) == {302}
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_wagtail_admin_reset_is_limited_the_same_way(client, consultant, mailoutbox):
    path = reverse("wagtailadmin_password_reset")
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(ratelimit.PASSWORD_RESET_PER_EMAIL.count):
            ask_for_reset(client, consultant.email, path=path)
        response = ask_for_reset(client, consultant.email, path=path)

    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()
    assert len(mailoutbox) == ratelimit.PASSWORD_RESET_PER_EMAIL.count
