"""Mailgun's inbound route through django-anymail (signature checked) takes the SMTP server's path;
the "Inbound mail" report counts what came in and what became of it."""

import datetime
import hashlib
import hmac

import pytest
from django.utils import timezone

from inbound import processing
from inbound.models import DropReason, InboundMessage, InboundState
from lessons.models import Submission
from mail.replies import reply_address
from tests.factories import MembershipFactory, expected_text, make_cohort, raw_mail, sent_delivery

KEY = "mailgun-signing-key-for-tests"


@pytest.fixture
def member(course_page):
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31))
    return MembershipFactory(cohort=cohort, user__email="lena@example.de")


def mailgun_post(client, member, *, key=KEY):
    to = reply_address(sent_delivery(member), timezone.now().date())
    raw = raw_mail("gmail_de_attachment.eml", sender=member.user.email, to=to).decode()
    timestamp, token = "1772442764", "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "body-mime": raw,
        "recipient": to,
        "sender": member.user.email,
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    return client.post("/inbound/mailgun/", data)


@pytest.mark.django_db
def test_a_signed_mailgun_inbound_post_is_stored_and_becomes_a_draft(client, member, settings):
    settings.KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY = KEY
    assert mailgun_post(client, member).status_code == 200
    message = InboundMessage.objects.get()
    assert message.source == InboundMessage.Source.MAILGUN
    assert processing.process(message.pk) == InboundState.DRAFTED
    assert Submission.objects.get().body == expected_text("gmail_de_attachment.eml")


@pytest.mark.django_db
def test_a_wrongly_signed_post_is_refused_and_stores_nothing(client, member, settings):
    settings.KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY = KEY
    assert mailgun_post(client, member, key="someone-elses-key").status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_without_a_signing_key_the_webhook_is_not_there(client, member, settings):
    settings.KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY = ""
    assert mailgun_post(client, member).status_code == 404
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_the_report_counts_drafts_drops_by_reason_bounces_and_complaints(
    admin_client, member, django_assert_num_queries
):
    def row(**fields):
        return InboundMessage.objects.create(raw=b"", rcpt_to="reply+x@klartext.localhost", membership=member, **fields)

    row(state=InboundState.DRAFTED, kind="reply")
    row(state=InboundState.DRAFTED, kind="reply")
    row(state=InboundState.DROPPED, kind="reply", reason=DropReason.FORGED_SENDER)
    row(state=InboundState.APPLIED, kind="bounce", detail="5.1.1 failed")
    row(state=InboundState.APPLIED, kind="complaint", detail="complaint: abuse")
    admin_client.get("/admin/inbound-mail/")  # warm the admin's own caches
    with django_assert_num_queries(12):  # the admin's frame, the counters, one page of rows
        page = admin_client.get("/admin/inbound-mail/").content.decode()
    for counter, value in [("received", 5), ("drafted", 2), ("dropped", 1), ("bounces", 1), ("complaints", 1)]:
        assert f'data-counter="{counter}">{value}<' in page
    assert "Sender is not the member" in page

    for _ in range(10):
        row(state=InboundState.DROPPED, kind="reply", reason=DropReason.RATE_LIMITED)
    with django_assert_num_queries(12):  # not one more for more rows
        admin_client.get("/admin/inbound-mail/")
