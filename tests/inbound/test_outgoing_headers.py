"""What outgoing mail says about answers to it: a signed Reply-To on emails that invite writing,
a VERP return path naming the delivery on every email, a List-Id on nudges."""

import datetime

import pytest
import time_machine

from mail.messages import BatchContext
from mail.models import Kind
from mail.replies import (
    BOUNCE,
    REPLY,
    BadAddress,
    ExpiredAddress,
    bounce_address,
    read_address,
    reply_address,
)
from tests.factories import DeliveryFactory, FeedbackFactory, MembershipFactory, SubmissionFactory, make_cohort

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def member(course_page):
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31))
    return MembershipFactory(cohort=cohort)


def build(delivery):
    return BatchContext([delivery], NOW).build(delivery, connection=None)


@pytest.mark.django_db
def test_a_nudge_invites_a_reply_to_a_signed_address_and_bounces_go_to_its_verp_address(member):
    nudge = DeliveryFactory(membership=member, kind=Kind.WEEKLY_NUDGE)
    message = build(nudge)
    reply_to = message.extra_headers["Reply-To"]
    assert reply_to == reply_address(nudge, NOW.date())
    assert len(reply_to.split("@")[0]) <= 64  # RFC 5321's limit for a local part
    assert read_address(reply_to, NOW.date()).delivery_id == nudge.pk
    assert message.from_email == bounce_address(nudge)  # the SMTP envelope sender
    assert read_address(message.from_email, NOW.date()).purpose == BOUNCE
    assert message.message()["From"] == "Klartext <hello@klartext.localhost>"
    assert message.extra_headers["List-Id"] == "Klartext <nudges.klartext.localhost>"
    assert "reply to this email" in message.body


@pytest.mark.django_db
def test_feedback_ready_has_a_return_path_but_invites_no_reply(member):
    piece = SubmissionFactory(membership=member)
    FeedbackFactory(submission=piece)
    delivery = DeliveryFactory(membership=member, kind=Kind.FEEDBACK_READY, subject_id=piece.pk)
    message = build(delivery)
    assert "Reply-To" not in message.extra_headers
    assert message.from_email == bounce_address(delivery)


@pytest.mark.django_db
def test_a_reply_address_expires_after_thirty_days_and_a_changed_one_is_refused(member):
    nudge = DeliveryFactory(membership=member)
    address = reply_address(nudge, NOW.date())
    assert read_address(address, NOW.date() + datetime.timedelta(days=30)).purpose == REPLY
    with pytest.raises(ExpiredAddress):
        read_address(address, NOW.date() + datetime.timedelta(days=31))
    local, domain = address.split("@")
    other = DeliveryFactory(membership=member, period_key="other")
    forged = local.replace(local.split("+")[1].split("-")[0], f"{other.pk:x}", 1)
    with pytest.raises(BadAddress):
        read_address(f"{forged}@{domain}", NOW.date())
    with pytest.raises(BadAddress):
        read_address(f"{local}@elsewhere.example", NOW.date())
    assert read_address(address.upper(), NOW.date()).delivery_id == nudge.pk  # relays may fold the case
