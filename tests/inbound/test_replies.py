"""Replying to a Klartext email writes a draft: real SMTP (smtplib) to Klartext's inbound server
on loopback, realistic raw messages from the common mail clients, then the processing a worker
runs. Refused replies create nothing and get no answer."""

import datetime
import smtplib
import socket
import time
from email.header import decode_header, make_header

import pytest
import time_machine
from django.utils import timezone

from cohorts.models import Membership
from inbound import processing, receiving, server, tasks
from inbound.models import DropReason, InboundMessage, InboundState
from lessons.models import Submission, SubmissionVersion
from lessons.writing import get_or_start, save_draft
from mail.models import Delivery, Kind
from mail.replies import read_draft_saved_variant, reply_address
from mail.sending import send_batch
from tests.factories import MembershipFactory, expected_text, make_cohort, raw_mail, sent_delivery

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)  # a Tuesday, 11:00 in Berlin

REPLIES = [
    ("gmail_en_alternative.eml", "en"),
    ("gmail_de_attachment.eml", "de"),
    ("outlook_desktop_de_latin1.eml", "de"),
    ("outlook_ios_en.eml", "en"),
    ("outlook_ios_de.eml", "de"),
    ("apple_iphone_de.eml", "de"),
    ("apple_mail_mac_en.eml", "en"),
    ("thunderbird_de_latin1_flowed.eml", "de"),
    ("thunderbird_en_html.eml", "en"),
    ("owa_html_only_en.eml", "en"),
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2027, 1, 31))


@pytest.fixture
def katrin(cohort):
    return MembershipFactory(
        cohort=cohort, user__email="katrin.berger@example.org", user__full_name="Katrin Berger", language="de"
    )


@pytest.fixture
def tom(cohort):
    return MembershipFactory(cohort=cohort, user__email="tom@example.org", user__full_name="Tom Becker")


def send(port, raw, to, mail_from="sender@example.org"):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail(mail_from, [to], raw)


def process_all():
    """What the worker does for every stored message (the tasks queued on commit)."""
    return [processing.process(pk) for pk in InboundMessage.objects.order_by("pk").values_list("pk", flat=True)]


def reply(port, membership, delivery, fixture="gmail_en_alternative.eml", sender=None, today=None):
    to = reply_address(delivery, today or timezone.now().date())
    send(port, raw_mail(fixture, sender=sender or membership.user.email, to=to), to, sender or membership.user.email)


@pytest.mark.parametrize(("fixture", "language"), REPLIES)
def test_a_reply_from_each_mail_client_becomes_a_draft_of_exactly_the_new_text(inbound_smtp, katrin, fixture, language):
    Membership.objects.filter(pk=katrin.pk).update(language=language)
    nudge = sent_delivery(katrin, Kind.WEEKLY_NUDGE)
    reply(inbound_smtp, katrin, nudge, fixture)

    assert process_all() == [InboundState.DRAFTED]
    piece = Submission.objects.get(membership=katrin)
    assert piece.body == expected_text(fixture)
    assert piece.lesson is None  # a weekly nudge's reply is a free post
    assert piece.versions.get().kind == SubmissionVersion.Kind.REPLY
    confirmation = Delivery.objects.get(kind=Kind.DRAFT_SAVED)
    assert confirmation.membership_id == katrin.pk and confirmation.subject_id == piece.pk
    assert read_draft_saved_variant(confirmation.variant)[1] == (fixture == "gmail_de_attachment.eml")


def test_the_same_message_processed_twice_makes_one_draft_and_one_confirmation(inbound_smtp, katrin):
    reply(inbound_smtp, katrin, sent_delivery(katrin))
    message = InboundMessage.objects.get()
    assert processing.process(message.pk) == InboundState.DRAFTED
    assert processing.process(message.pk) is None
    assert Submission.objects.count() == 1
    assert Delivery.objects.filter(kind=Kind.DRAFT_SAVED).count() == 1


def test_a_reply_to_an_assignment_mail_is_a_new_version_of_that_piece_beside_the_members_own_change(
    inbound_smtp, katrin, lesson_page, client
):
    assignment_id = lesson_page.writing_assignments[0][0]
    piece = get_or_start(katrin, lesson_page, assignment_id)
    save_draft(piece.pk, title="Mine", body="My first lines.", base_version=0)
    due = sent_delivery(
        katrin,
        Kind.ASSIGNMENT_DUE,
        subject_id=lesson_page.pk,
        period_key=f"due:{assignment_id}",
        sent_at=timezone.now() - datetime.timedelta(hours=2),
    )
    save_draft(piece.pk, title="Mine", body="My lines, changed after the email.", base_version=1)

    reply(inbound_smtp, katrin, due, "outlook_ios_en.eml")
    assert process_all() == [InboundState.DRAFTED]

    piece.refresh_from_db()
    assert piece.version == 3 and piece.body == expected_text("outlook_ios_en.eml")
    assert [(v.number, v.kind) for v in piece.versions.order_by("number")] == [
        (1, SubmissionVersion.Kind.SAVE),
        (2, SubmissionVersion.Kind.SAVE),
        (3, SubmissionVersion.Kind.REPLY),
    ]
    confirmation = Delivery.objects.get(kind=Kind.DRAFT_SAVED)
    assert read_draft_saved_variant(confirmation.variant) == (2, False)

    client.force_login(katrin.user)
    page = client.get(f"/write/piece/{piece.pk}/?compare=2").content.decode()
    assert "My lines, changed after the email." in page  # the member's change, beside the reply
    assert "what would you stop doing if nobody were watching?" in page


def test_a_reply_from_another_address_is_dropped_and_creates_nothing(inbound_smtp, katrin, smtp):
    reply(inbound_smtp, katrin, sent_delivery(katrin), sender="someone.else@example.org")
    assert process_all() == [InboundState.DROPPED]
    assert InboundMessage.objects.get().reason == DropReason.FORGED_SENDER
    assert not Submission.objects.exists()
    assert not Delivery.objects.filter(kind=Kind.DRAFT_SAVED).exists()
    assert smtp.received == []  # nothing sent back


def test_the_sender_matches_whatever_its_case_and_unicode_form(inbound_smtp, katrin):
    reply(inbound_smtp, katrin, sent_delivery(katrin), sender="Katrin.Berger@EXAMPLE.org")
    assert process_all() == [InboundState.DRAFTED]


def test_another_members_reply_address_is_refused(inbound_smtp, katrin, tom, smtp):
    katrins_nudge = sent_delivery(katrin)
    reply(inbound_smtp, tom, katrins_nudge)  # Tom, from his own address, with Katrin's token
    assert process_all() == [InboundState.DROPPED]
    assert InboundMessage.objects.get().reason == DropReason.FORGED_SENDER
    assert not Submission.objects.exists()
    assert not Delivery.objects.filter(kind=Kind.DRAFT_SAVED).exists()
    assert smtp.received == []


def test_an_expired_reply_address_is_refused(inbound_smtp, katrin, smtp):
    nudge = sent_delivery(katrin)
    reply(inbound_smtp, katrin, nudge, today=timezone.now().date() - datetime.timedelta(days=31))
    assert process_all() == [InboundState.DROPPED]
    assert InboundMessage.objects.get().reason == DropReason.EXPIRED
    assert not Submission.objects.exists()
    assert smtp.received == []


@pytest.mark.parametrize(
    "change",
    [
        lambda to: to.replace("reply+", "reply+1"),  # another email's number
        lambda to: to.replace("-", "-0", 1),  # another day
        lambda to: to[:-30] + ("a" if to[-30] != "a" else "b") + to[-29:],  # the signature
        lambda to: to.replace("reply+", "bounce+"),  # the other kind of address
    ],
)
def test_a_changed_token_is_refused_in_the_smtp_dialogue_and_stores_nothing(inbound_smtp, katrin, change):
    forged = change(reply_address(sent_delivery(katrin), timezone.now().date()))
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(inbound_smtp, raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=forged), forged)
    assert refused.value.recipients[forged][0] == 550
    assert not InboundMessage.objects.exists()


def test_a_stored_message_whose_address_no_longer_verifies_is_dropped(katrin):
    # The webhook and the server check the signature first; this is what the worker does when
    # the key changed between storing and processing.
    to = reply_address(sent_delivery(katrin), timezone.now().date()).replace("reply+", "reply+1")
    row = InboundMessage.objects.create(
        raw=raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=to), rcpt_to=to
    )
    assert processing.process(row.pk) == InboundState.DROPPED
    assert InboundMessage.objects.get().reason == DropReason.BAD_ADDRESS
    assert not Submission.objects.exists()


def test_more_than_ten_recipients_in_one_message_are_deferred(inbound_smtp, cohort):
    addresses = [
        reply_address(sent_delivery(MembershipFactory(cohort=cohort)), timezone.now().date()) for _ in range(12)
    ]
    with smtplib.SMTP("127.0.0.1", inbound_smtp, timeout=10) as client:
        client.ehlo()
        client.mail("sender@example.org")
        codes = [client.rcpt(address)[0] for address in addresses]
        client.data(b"Subject: to everyone\r\n\r\nhello\r\n")
    assert codes == [250] * 10 + [452, 452]
    assert sorted(InboundMessage.objects.values_list("rcpt_to", flat=True)) == sorted(addresses[:10])


def test_an_address_that_received_fifty_messages_today_is_deferred_until_tomorrow(inbound_smtp, katrin):
    to = reply_address(sent_delivery(katrin), timezone.now().date())
    raw = raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=to)
    InboundMessage.objects.bulk_create(
        [InboundMessage(raw=raw, size=len(raw), rcpt_to=to) for _ in range(receiving.MAX_PER_ADDRESS_PER_DAY - 1)]
    )
    send(inbound_smtp, raw, to)  # the fiftieth
    for shouted in (to, to.upper(), f"<{to}>"):  # the same address, however it is written
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(inbound_smtp, raw, shouted)
        assert refused.value.recipients[shouted][0] == 452
    assert InboundMessage.objects.count() == 50

    with time_machine.travel(NOW + datetime.timedelta(days=1, minutes=1), tick=True):
        send(inbound_smtp, raw, to)
    assert InboundMessage.objects.count() == 51


def test_a_complaint_or_bounce_sent_to_a_reply_address_changes_nothing(inbound_smtp, katrin):
    nudge = sent_delivery(katrin)
    to = reply_address(nudge, timezone.now().date())
    for fixture in ("arf_complaint.eml", "postfix_hard.eml"):
        send(inbound_smtp, raw_mail(fixture, to=to, recipient=katrin.user.email), to, "")
    assert process_all() == [InboundState.DROPPED, InboundState.DROPPED]
    assert set(InboundMessage.objects.values_list("reason", flat=True)) == {DropReason.MISDIRECTED_REPORT}
    katrin.refresh_from_db()
    katrin.user.refresh_from_db()
    assert katrin.unsubscribed_at is None
    assert (katrin.user.email_bouncing_since, katrin.user.email_soft_bounces) == (None, 0)


def test_a_reply_that_talks_about_delivery_and_error_codes_is_a_draft_not_a_bounce(inbound_smtp, katrin):
    to = reply_address(sent_delivery(katrin), timezone.now().date())
    raw = (
        f"From: Katrin Berger <{katrin.user.email}>\r\nTo: {to}\r\nSubject: Re: Delivery of our 550 kW plant\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "The delivery slipped: the supplier answered 550 5.1.1 to every order by email.\r\n"
    ).encode()
    send(inbound_smtp, raw, to, katrin.user.email)
    assert process_all() == [InboundState.DRAFTED]
    assert "550 5.1.1" in Submission.objects.get().body
    katrin.user.refresh_from_db()
    assert katrin.user.email_bouncing_since is None


def test_a_message_over_one_megabyte_is_refused_during_the_smtp_dialogue(inbound_smtp, katrin):
    to = reply_address(sent_delivery(katrin), timezone.now().date())
    raw = raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=to)
    raw = raw.replace(b"This week was", (b"x" * 76 + b"\r\n") * 27_000 + b"This week was", 1)
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # SIZE in EHLO: refused at MAIL FROM
        send(inbound_smtp, raw, to)
    assert refused.value.smtp_code == 552
    assert not InboundMessage.objects.exists()


def test_a_message_over_one_megabyte_without_size_is_refused_after_data(inbound_smtp, katrin):
    to = reply_address(sent_delivery(katrin), timezone.now().date())
    raw = raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=to)
    raw = raw.replace(b"This week was", (b"x" * 76 + b"\r\n") * 27_000 + b"This week was", 1)
    with smtplib.SMTP("127.0.0.1", inbound_smtp, timeout=10) as client:
        client.ehlo()
        client.esmtp_features.pop("size", None)  # a client that ignores the announced limit
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("x@example.org", [to], raw)
    assert refused.value.smtp_code == 552
    assert not InboundMessage.objects.exists()


def test_strangers_are_refused_at_rcpt(inbound_smtp):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(inbound_smtp, b"Subject: hi\r\n\r\nhello\r\n", "postmaster@klartext.localhost")
    assert not InboundMessage.objects.exists()


def test_the_twenty_first_reply_in_a_day_is_refused(inbound_smtp, katrin, smtp):
    nudge = sent_delivery(katrin)
    for _ in range(21):
        reply(inbound_smtp, katrin, nudge)
    states = process_all()
    assert states.count(InboundState.DRAFTED) == 20
    assert states[-1] == InboundState.DROPPED
    assert InboundMessage.objects.filter(reason=DropReason.RATE_LIMITED).count() == 1
    assert Submission.objects.count() == 20
    assert Delivery.objects.filter(kind=Kind.DRAFT_SAVED).count() == 20
    assert smtp.received == []


def test_an_out_of_office_reply_is_not_a_draft(inbound_smtp, katrin):
    to = reply_address(sent_delivery(katrin), timezone.now().date())
    raw = raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=to)
    raw = raw.replace(b"MIME-Version: 1.0\r\n", b"MIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n", 1)
    send(inbound_smtp, raw, to)
    assert process_all() == [InboundState.DROPPED]
    assert InboundMessage.objects.get().reason == DropReason.AUTOMATIC
    assert not Submission.objects.exists()


def test_the_confirmation_goes_out_and_home_shows_the_new_draft(inbound_smtp, katrin, smtp, client):
    reply(inbound_smtp, katrin, sent_delivery(katrin), "apple_iphone_de.eml")
    process_all()
    confirmation = Delivery.objects.get(kind=Kind.DRAFT_SAVED)
    assert send_batch([confirmation.pk]) == {"sent": 1}
    (message,) = smtp.received
    assert message["To"] == katrin.user.email
    assert "Entwurf" in str(make_header(decode_header(message["Subject"])))
    piece = Submission.objects.get()
    text = next(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/plain"
    )
    assert f"/write/piece/{piece.pk}/" in text

    client.force_login(katrin.user)
    home = client.get("/").content.decode()
    assert f"/write/piece/{piece.pk}/" in home
    assert "Drei Gespräche mit Kunden" in home


def test_the_twenty_first_reply_in_one_batch_is_refused_too(inbound_smtp, katrin):
    nudge = sent_delivery(katrin)
    for _ in range(21):
        reply(inbound_smtp, katrin, nudge)
    ids = list(InboundMessage.objects.order_by("pk").values_list("pk", flat=True))
    states = processing.process_batch(ids)
    assert [states[pk] for pk in ids] == [InboundState.DRAFTED] * 20 + [InboundState.DROPPED]
    assert InboundMessage.objects.get(pk=ids[-1]).reason == DropReason.RATE_LIMITED
    assert Submission.objects.count() == 20


def test_a_batch_of_replies_costs_five_queries_and_four_a_reply(inbound_smtp, cohort, django_assert_num_queries):
    members = [MembershipFactory(cohort=cohort) for _ in range(4)]
    for membership in members:
        reply(inbound_smtp, membership, sent_delivery(membership))
    ids = list(InboundMessage.objects.values_list("pk", flat=True))
    # BEGIN, the rows, the emails with their members, the drafts of the day, COMMIT; then a
    # piece, its first version, the confirmation and the row's new state for each reply.
    with django_assert_num_queries(5 + 4 * len(ids), exact=True):
        states = processing.process_batch(ids)
    assert set(states.values()) == {InboundState.DRAFTED}
    assert sorted(Submission.objects.values_list("membership_id", flat=True)) == sorted(m.pk for m in members)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def queued(monkeypatch):
    """The row ids of each task the inbound server queues."""
    tasks = []
    monkeypatch.setattr(receiving.process_messages, "delay", tasks.append)
    return tasks


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_the_server_hands_replies_that_arrive_together_to_one_task(queued, monkeypatch, katrin, tom):
    monkeypatch.setattr(server, "BATCH_WAIT", 3)  # time enough for all three to arrive
    inbound = server.controller("127.0.0.1", free_port())
    inbound.start()
    try:
        for week, membership in enumerate((katrin, tom, katrin)):
            reply(inbound.port, membership, sent_delivery(membership, period_key=f"2026-W{40 + week}"))
        assert queued == []  # stored, and waiting for company
        assert wait_until(lambda: queued)
    finally:
        inbound.stop()
    assert queued == [list(InboundMessage.objects.order_by("pk").values_list("pk", flat=True))]


def test_stopping_the_server_queues_what_it_stored(queued, monkeypatch, katrin):
    monkeypatch.setattr(server, "BATCH_WAIT", 600)
    inbound = server.controller("127.0.0.1", free_port())
    inbound.start()
    reply(inbound.port, katrin, sent_delivery(katrin))
    assert queued == []
    inbound.stop()
    assert queued == [[InboundMessage.objects.get().pk]]


def test_the_sweep_forgets_old_raw_text_and_then_old_rows(katrin):
    to = reply_address(sent_delivery(katrin), timezone.now().date())
    raw = raw_mail("gmail_en_alternative.eml", sender=katrin.user.email, to=to)

    def row(processed_days_ago, state=InboundState.DRAFTED):
        processed_at = None if processed_days_ago is None else NOW - datetime.timedelta(days=processed_days_ago)
        return InboundMessage.objects.create(raw=raw, size=len(raw), rcpt_to=to, state=state, processed_at=processed_at)

    fresh, fortnight, waiting = row(13), row(15, InboundState.DROPPED), row(None, InboundState.RECEIVED)
    row(91)
    tasks.sweep(NOW.isoformat())

    assert set(InboundMessage.objects.values_list("pk", flat=True)) == {fresh.pk, fortnight.pk, waiting.pk}
    kept = {row.pk: bytes(row.raw) for row in InboundMessage.objects.all()}
    assert kept[fresh.pk] == raw and kept[waiting.pk] == raw  # still to look into, still to process
    assert kept[fortnight.pk] == b""
    assert InboundMessage.objects.get(pk=fortnight.pk).size == len(raw)
