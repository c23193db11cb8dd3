"""A word in time: a personal note and a circle message go through the pipeline (a real Celery
worker on Redis, a real SMTP sink), once per recipient, in each member's language, never to an
unsubscribed or paused member, with replies going to the facilitator."""

import datetime
import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import close_old_connections, connection
from django.utils import timezone

from config.celery import app
from mail.messages import BatchContext
from mail.models import Delivery, DeliveryState, FacilitatorNote, Kind
from mail.notes import NoteError, send_note, sent_notes, suggested_note
from tests.factories import CircleFactory, MembershipFactory, UserFactory, daytime_zone, make_cohort


def wait_for(condition, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def team(course_page):
    # Daytime now, on the members' chosen Sunday or not: choosing Sunday allows weekends.
    zone = daytime_zone(datetime.datetime.now(datetime.UTC))
    today = datetime.date.today()
    cohort = make_cohort(
        course_page, start_date=today - datetime.timedelta(days=14), end_date=today + datetime.timedelta(days=60)
    )
    circle = CircleFactory(cohort=cohort, name="Blue")
    other = CircleFactory(cohort=cohort, name="Green")

    def person(name, language, circle=circle, **fields):
        user = UserFactory(full_name=name, email=f"{name.lower()}@example.test", language=language)
        return MembershipFactory(
            cohort=cohort, circle=circle, user=user, language=language, time_zone=zone, nudge_weekday=6, **fields
        )

    facilitator = MembershipFactory(
        cohort=cohort, facilitator=True, user=UserFactory(full_name="Fay Facilitator", email="fay@coach.test")
    )
    return {
        "cohort": cohort,
        "circle": circle,
        "facilitator": facilitator.user,
        "anna": person("Anna", "en"),
        "bernd": person("Bernd", "de"),
        "unsubscribed": person("Ulla", "de", unsubscribed_at=timezone.now()),
        "paused": person("Paula", "en", paused_until=today + datetime.timedelta(days=7)),
        "elsewhere": person("Otto", "en", circle=other),
    }


needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real broker: set REDIS_URL")


@pytest.fixture
def worker():
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30) as w:
        yield w
    app.control.purge()
    connection.close()


def settled(smtp, count):
    def done():
        close_old_connections()
        return len(smtp.received) >= count and not Delivery.objects.filter(state=DeliveryState.PENDING).exists()

    return wait_for(done, timeout=60)


def text_of(message):
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_note_and_a_circle_message_reach_each_recipient_once_in_their_language(team, smtp, worker):
    cohort, fay = team["cohort"], team["facilitator"]
    send_note(cohort, fay, subject="Anna, a word", body="How is it going?", membership=team["anna"], reason="quiet")
    send_note(cohort, fay, subject="Bernd, ein Wort", body="Wie geht es?", membership=team["bernd"])
    send_note(cohort, fay, subject="Blue circle", body="Meet on Friday!", circle=team["circle"])
    send_note(cohort, fay, subject="Paula", body="Hi", membership=team["paused"])
    send_note(cohort, fay, subject="Ulla", body="Hi", membership=team["unsubscribed"])

    assert settled(smtp, 4), f"{len(smtp.received)} received"
    time.sleep(1)  # nothing more may arrive
    received = [(m["To"], m["Subject"]) for m in smtp.received]
    assert sorted(received) == sorted(
        [
            ("anna@example.test", "Anna, a word"),
            ("bernd@example.test", "Bernd, ein Wort"),
            ("anna@example.test", "Blue circle"),
            ("bernd@example.test", "Blue circle"),
        ]
    )
    assert set(smtp.count_by_message_id().values()) == {1}
    for message in smtp.received:
        assert message["Reply-To"] == "fay@coach.test"
        text = text_of(message)
        if message["To"] == "bernd@example.test":
            assert text.startswith("Hallo Bernd,")
        else:
            assert text.startswith("Hello Anna,")
    # The paused and the unsubscribed member have no row at all; the other circle neither.
    assert not Delivery.objects.filter(membership__in=[team["paused"], team["unsubscribed"], team["elsewhere"]])


@pytest.mark.django_db
def test_sending_a_note_twice_is_two_notes_but_never_two_emails_of_one_note(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        note, queued = send_note(team["cohort"], team["facilitator"], subject="S", body="B", circle=team["circle"])
    assert queued == 2
    assert Delivery.objects.filter(kind=Kind.GROUP_MESSAGE, subject_id=note.pk).count() == 2
    log = sent_notes([team["anna"].pk])
    assert [entry.subject for entry in log[team["anna"].pk]] == ["S"]


@pytest.mark.django_db
def test_an_empty_or_too_long_note_is_refused_with_a_message_and_nothing_is_stored(team):
    with pytest.raises(NoteError):
        send_note(team["cohort"], team["facilitator"], subject=" ", body="x", membership=team["anna"])
    with pytest.raises(NoteError):
        send_note(team["cohort"], team["facilitator"], subject="S", body="x" * 5001, membership=team["anna"])
    assert not FacilitatorNote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "language", "expected"),
    [("quiet", "en", "How are you?"), ("quiet", "de", "Wie geht es Ihnen?"), ("draft", "de", "Ihr Entwurf")],
)
def test_the_suggested_note_fits_the_reason_and_the_members_language(team, reason, language, expected):
    member = team["anna"]
    member.language = language
    subject, body = suggested_note(member, reason, piece_title="Mein Stück", facilitator=team["facilitator"])
    assert expected in subject
    assert body.strip().endswith("Fay Facilitator")


@pytest.mark.django_db
def test_a_notes_markdown_is_rendered_in_the_html_part_and_kept_as_written_in_the_text_part(
    team, django_capture_on_commit_callbacks
):
    body = "**Well done** on the draft.\n\n- share it\n- ask [me](https://example.test/help)\n\nFay"
    with django_capture_on_commit_callbacks():
        note, _queued = send_note(team["cohort"], team["facilitator"], subject="S", body=body, membership=team["anna"])
    row = Delivery.objects.get(subject_id=note.pk)
    message = BatchContext([row], timezone.now()).build(row, connection=None)
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    assert "<strong>Well done</strong>" in html and "<li>share it</li>" in html
    assert '<a href="https://example.test/help"' in html and "**" not in html
    assert body in message.body
    assert message.body.startswith("Hello Anna,")  # one greeting, the platform's


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "hello"), [("en", "“Hello Anna,”"), ("de", "“Hallo Anna,”")])
def test_the_note_form_shows_the_greeting_the_email_begins_with_so_she_does_not_greet_twice(
    team, admin_client, language, hello
):
    member = team["anna"]
    member.language = language
    member.save()
    response = admin_client.get(f"/admin/cohorts/{team['cohort'].pk}/stuck/note/", {"member": member.pk})
    assert response.status_code == 200
    assert hello in response.content.decode()
