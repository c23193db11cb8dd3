"""Links that act without a sign-in carry signed tokens that expire. (Invitation expiry, renewal
and tampering are covered in tests/cohorts/test_invitations.py.)"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mail import tokens
from mail.models import Kind, NudgeOptOut
from tests.factories import make_cohort, make_members


@pytest.fixture
def member(course_page):
    return make_members(make_cohort(course_page), 1)[0]


@pytest.mark.django_db
def test_an_unsubscribe_link_works_until_it_expires_then_changes_nothing(client, member):
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        token = tokens.unsubscribe_token(member.pk, Kind.WEEKLY_NUDGE)
    url = reverse("mail:unsubscribe", args=[token])

    with time_machine.travel(sent + tokens.UNSUBSCRIBE_MAX_AGE - datetime.timedelta(minutes=1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(sent + tokens.UNSUBSCRIBE_MAX_AGE + datetime.timedelta(minutes=1), tick=False):
        expired = client.post(url)

    assert expired.status_code == 400
    assert not NudgeOptOut.objects.filter(membership=member).exists()


@pytest.mark.django_db
def test_an_unsubscribe_token_is_no_invitation_token(client, member):
    """Salted per purpose: a signature made for one kind of link is worthless for another."""
    token = tokens.unsubscribe_token(member.pk, Kind.WEEKLY_NUDGE)

    response = client.get(reverse("cohorts:accept_invitation", args=[token]))

    assert response.status_code == 400
