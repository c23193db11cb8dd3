"""Bounces and complaints, as Postfix, Exim and a feedback loop send them, over SMTP to the
VERP return path: a hard bounce stops the mail, soft ones count, a complaint unsubscribes."""

import datetime
import smtplib

import pytest
import time_machine

from cohorts.models import Membership
from course.models import User
from inbound import processing
from inbound.models import InboundKind, InboundMessage, InboundState
from mail.audience import reachable
from mail.contents import Skip
from mail.messages import BatchContext
from mail.models import Kind
from mail.replies import bounce_address
from progress.dashboard import build_dashboard
from tests.factories import MembershipFactory, make_cohort, raw_mail, sent_delivery

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31))


@pytest.fixture
def bernd(cohort):
    return MembershipFactory(cohort=cohort, user__email="bernd@example.net", user__full_name="Bernd Wolf")


def report(port, membership, fixture, delivery=None):
    delivery = delivery or sent_delivery(membership)
    to = bounce_address(delivery)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("", [to], raw_mail(fixture, to=to, recipient=membership.user.email))
    row = InboundMessage.objects.order_by("-pk").first()
    processing.process(row.pk)
    row.refresh_from_db()
    return row


def is_reachable(membership):
    return reachable(Membership.objects.filter(pk=membership.pk), Kind.WEEKLY_NUDGE).exists()


@pytest.mark.parametrize("fixture", ["postfix_hard.eml", "exim_hard.eml"])
def test_a_hard_bounce_marks_the_address_as_bouncing_and_stops_every_nudge(inbound_smtp, bernd, fixture):
    assert is_reachable(bernd)
    row = report(inbound_smtp, bernd, fixture)
    assert (row.kind, row.state) == (InboundKind.BOUNCE, InboundState.APPLIED)
    assert User.objects.get(pk=bernd.user_id).email_bouncing_since is not None
    assert not is_reachable(bernd)  # the planners leave them out
    pending = sent_delivery(bernd, Kind.LESSON_RELEASED)
    pending.membership = Membership.objects.select_related("user", "cohort__course").get(pk=bernd.pk)
    with pytest.raises(Skip):  # and a row planned before the bounce is not sent
        BatchContext([pending], NOW).build(pending, connection=None)


@pytest.mark.parametrize("fixture", ["postfix_soft.eml", "exim_soft.eml"])
def test_soft_bounces_count_and_three_in_a_row_count_as_hard(inbound_smtp, bernd, fixture):
    first = sent_delivery(bernd)
    report(inbound_smtp, bernd, fixture, first)
    report(inbound_smtp, bernd, fixture, first)  # the same email's warning again: one soft bounce
    user = User.objects.get(pk=bernd.user_id)
    assert (user.email_soft_bounces, user.email_bouncing_since) == (1, None)
    assert is_reachable(bernd)

    report(inbound_smtp, bernd, fixture, sent_delivery(bernd, period_key="2026-W49"))
    assert User.objects.get(pk=bernd.user_id).email_bouncing_since is None
    report(inbound_smtp, bernd, fixture, sent_delivery(bernd, period_key="2026-W50"))
    user = User.objects.get(pk=bernd.user_id)
    assert user.email_soft_bounces == 3 and user.email_bouncing_since is not None
    assert not is_reachable(bernd)


def test_an_arf_complaint_unsubscribes_the_person_from_all_nudges(inbound_smtp, bernd, course_page):
    other = MembershipFactory(cohort=make_cohort(course_page, name="Alumni"), user=bernd.user)
    row = report(inbound_smtp, bernd, "arf_complaint.eml")
    assert (row.kind, row.state) == (InboundKind.COMPLAINT, InboundState.APPLIED)
    assert Membership.objects.filter(pk__in=[bernd.pk, other.pk], unsubscribed_at__isnull=False).count() == 2
    assert not is_reachable(bernd)


def test_a_forged_bounce_address_is_refused_and_changes_nothing(inbound_smtp, bernd):
    to = bounce_address(sent_delivery(bernd)).replace("bounce+", "bounce+1")
    with smtplib.SMTP("127.0.0.1", inbound_smtp, timeout=10) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("", [to], raw_mail("postfix_hard.eml", to=to, recipient=bernd.user.email))
    assert not InboundMessage.objects.exists()
    assert User.objects.get(pk=bernd.user_id).email_bouncing_since is None


def test_the_member_sees_the_bounce_on_preferences_and_says_the_address_works(inbound_smtp, bernd, client):
    report(inbound_smtp, bernd, "postfix_hard.eml")
    client.force_login(bernd.user)
    page = client.get("/preferences/").content.decode()
    assert 'id="address-bouncing"' in page and "bernd@example.net" in page
    client.post("/preferences/", {"action": "address_works", "membership": bernd.pk})
    assert User.objects.get(pk=bernd.user_id).email_bouncing_since is None
    assert is_reachable(bernd)


def test_the_facilitator_sees_who_bounces_on_the_dashboard(inbound_smtp, bernd, cohort):
    report(inbound_smtp, bernd, "exim_hard.eml")
    dashboard = build_dashboard(cohort, NOW)
    assert [row.membership_id for row in dashboard.bouncing] == [bernd.pk]


def test_the_same_emails_warning_twice_in_one_batch_counts_once(inbound_smtp, bernd):
    first = sent_delivery(bernd)
    to = bounce_address(first)
    with smtplib.SMTP("127.0.0.1", inbound_smtp, timeout=10) as client:
        for _ in range(2):
            client.sendmail("", [to], raw_mail("postfix_soft.eml", to=to, recipient=bernd.user.email))
    states = processing.process_batch(list(InboundMessage.objects.values_list("pk", flat=True)))
    assert list(states.values()) == [InboundState.APPLIED, InboundState.APPLIED]
    assert User.objects.get(pk=bernd.user_id).email_soft_bounces == 1
