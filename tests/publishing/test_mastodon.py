"""Mastodon, end to end against the FAKE server in tests/fakes/mastodon.py: connect with OAuth,
post a long piece as a thread within the server's own limit, the URL recorded, replies home."""

from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from lessons.models import PostLog, Submission
from mail.models import Delivery, Kind
from publishing import posting, replies
from publishing.models import ConnectedAccount, Publication
from tests.factories import MembershipFactory, make_ready_piece

pytestmark = pytest.mark.django_db

LINK = "https://klartext.example/notes/listening"
SENTENCE = "Listening is the part of writing in public that nobody sees. "
BODY = (SENTENCE * 6) + f"I wrote down what I learned here: {LINK} and I would like to hear yours. " + (SENTENCE * 4)


@pytest.fixture
def member(db):
    return MembershipFactory(time_zone="Europe/Berlin", user__email="alice@example.test")


def connect(client, member, fake):
    client.force_login(member.user)
    response = client.post(reverse("publishing:connect_mastodon"), {"instance": "mastodon.example"})
    assert response.status_code == 302
    authorize = requests.get(response["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(authorize.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302
    return ConnectedAccount.objects.get(user=member.user, network="mastodon")


def post_now(client, piece, django_capture_on_commit_callbacks, text=None):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("publishing:piece", args=[piece.pk]),
            {"post_mastodon": "on", "text_mastodon": text or piece.body, "when": "now"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Publication.objects.get(submission=piece, network="mastodon")


def test_a_member_connects_mastodon_and_klartext_keeps_the_servers_limit(client, member, fake_mastodon):
    account = connect(client, member, fake_mastodon)
    assert account.handle == "@alice@mastodon.example"
    assert account.mastodon_app.max_characters == 300
    assert account.secret.startswith("token-")
    assert len(fake_mastodon.apps) == 1  # registered once per server
    connect(client, member, fake_mastodon)
    assert len(fake_mastodon.apps) == 1


def test_a_long_piece_goes_out_as_a_thread_within_the_limit_its_url_recorded_and_replies_come_home(
    client, member, fake_mastodon, django_capture_on_commit_callbacks
):
    connect(client, member, fake_mastodon)
    piece = make_ready_piece(body=BODY, membership=member)
    publication = post_now(client, piece, django_capture_on_commit_callbacks)

    assert posting.post(publication.pk) == "posted"

    statuses = [fake_mastodon.statuses[i] for i in fake_mastodon.posted]
    assert len(statuses) == len(publication.parts) >= 3
    assert all(len(part) <= 300 for part in publication.parts)
    assert statuses[0]["in_reply_to_id"] is None
    assert [s["in_reply_to_id"] for s in statuses[1:]] == [s["id"] for s in statuses[:-1]]
    publication.refresh_from_db()
    assert publication.state == "posted"
    assert publication.url == statuses[0]["url"]
    assert PostLog.objects.get(submission=piece).url == statuses[0]["url"]
    assert Submission.objects.get(pk=piece.pk).state == "published"

    bob = fake_mastodon.account("bob")
    answer = fake_mastodon.reply(bob, statuses[1]["id"], "What did you learn first?")
    assert replies.harvest()["replies"] == 1
    page = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "What did you learn first?" in page
    assert "Answer on Mastodon" in page

    fake_mastodon.reply("1", answer["id"], "That silence is an answer too.")
    replies.harvest()
    assert replies.conversation_counts(Submission.objects.filter(pk=piece.pk)) == {"started": 1, "answered": 1}
    page = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "You answered" in page
    practice = client.get(reverse("progress:practice")).content.decode()
    assert "conversations started: 1 · replies you answered: 1" in practice


def test_a_dropped_connection_after_the_post_left_is_unknown_and_never_posted_again(
    client, member, fake_mastodon, django_capture_on_commit_callbacks
):
    connect(client, member, fake_mastodon)
    piece = make_ready_piece(body="A short one.", membership=member)
    publication = post_now(client, piece, django_capture_on_commit_callbacks)
    fake_mastodon.faults.append("drop")

    assert posting.post(publication.pk) == "unknown"
    assert posting.post(publication.pk) == "taken"
    posting.tick()

    publication.refresh_from_db()
    assert publication.state == "unknown" and publication.flagged
    assert len(fake_mastodon.posted) == 1  # the server has it once; Klartext never sent it again
    assert not PostLog.objects.filter(submission=piece).exists()


def test_a_429_waits_for_retry_after_then_posts_once(
    client, member, fake_mastodon, django_capture_on_commit_callbacks, time_machine
):
    connect(client, member, fake_mastodon)
    piece = make_ready_piece(body="A short one.", membership=member)
    publication = post_now(client, piece, django_capture_on_commit_callbacks)
    fake_mastodon.faults.append(("429", 120))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert posting.post(publication.pk) == "rate_limited"
    publication.refresh_from_db()
    assert publication.state == "pending"
    assert 119 <= (publication.due_at - publication.claimed_at).total_seconds() <= 122
    assert len(queued) == 1  # the retry, queued with the wait as its countdown
    assert posting.post(publication.pk) == "not_due"
    assert fake_mastodon.posted == []

    time_machine.move_to(publication.due_at)
    assert posting.post(publication.pk) == "posted"
    assert len(fake_mastodon.posted) == 1
    assert posting.post(publication.pk) == "taken"
    assert len(fake_mastodon.posted) == 1


def test_a_401_marks_the_account_for_reconnecting_posts_nothing_and_emails_the_member(
    client, member, fake_mastodon, django_capture_on_commit_callbacks
):
    account = connect(client, member, fake_mastodon)
    piece = make_ready_piece(body="A short one.", membership=member)
    publication = post_now(client, piece, django_capture_on_commit_callbacks)
    fake_mastodon.revoked.add(account.secret)

    with django_capture_on_commit_callbacks(execute=False):
        assert posting.post(publication.pk) == "reconnect"

    assert fake_mastodon.posted == []
    account.refresh_from_db()
    assert account.state == "reconnect"
    publication.refresh_from_db()
    assert publication.state == "reconnect"
    email = Delivery.objects.get(membership=member, kind=Kind.RECONNECT_NEEDED)
    assert email.variant == "mastodon"
    page = client.get(reverse("mail:preferences")).content.decode()
    assert "Reconnect needed" in page


def test_disconnecting_revokes_the_token_and_deletes_it(client, member, fake_mastodon):
    account = connect(client, member, fake_mastodon)
    token = account.secret
    response = client.post(reverse("publishing:disconnect", args=["mastodon"]))
    assert response.status_code == 302
    assert token in fake_mastodon.revoked
    assert not ConnectedAccount.objects.filter(user=member.user).exists()


@pytest.mark.parametrize("where", ["refused", "not_mastodon"])
def test_a_server_that_is_not_mastodon_gets_a_message_not_an_error_page(client, member, fake_mastodon, settings, where):
    # Nothing listens on port 9 (discard); under /x the fake answers every path with 404.
    settings.KLARTEXT_MASTODON_URL_TEMPLATE = "http://127.0.0.1:9" if where == "refused" else fake_mastodon.url + "/x"
    client.force_login(member.user)

    response = client.post(reverse("publishing:connect_mastodon"), {"instance": "nothing.example"}, follow=True)

    assert response.status_code == 200
    assert "nothing.example did not answer like a Mastodon server." in response.content.decode()
    assert not ConnectedAccount.objects.filter(user=member.user).exists()


def test_disconnecting_while_the_server_is_down_still_deletes_the_token_and_says_so(
    client, member, fake_mastodon, settings
):
    account = connect(client, member, fake_mastodon)
    settings.KLARTEXT_MASTODON_URL_TEMPLATE = "http://127.0.0.1:9"

    response = client.post(reverse("publishing:disconnect", args=["mastodon"]), follow=True)

    assert "the network could not be told" in response.content.decode()
    assert account.secret not in fake_mastodon.revoked
    assert not ConnectedAccount.objects.filter(user=member.user).exists()
