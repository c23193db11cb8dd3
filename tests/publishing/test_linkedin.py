"""LinkedIn, against the FAKE LinkedIn in tests/fakes/linkedin.py: "Share on LinkedIn" only when
Klartext has a LinkedIn app, a piece posted once as its plain text, the URL recorded, the token's
60 days kept and the member asked to reconnect a week before they end."""

import datetime
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from django.urls import reverse

from lessons import network_text
from lessons.models import PostLog, Submission
from mail.messages import BatchContext
from mail.models import Delivery, Kind
from publishing import accounts, posting
from publishing.models import ConnectedAccount, Publication
from tests.factories import MembershipFactory, make_ready_piece

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# 00:30 in Berlin is still the day before in UTC: 60 days later the token ends on 1 January 2027
# in Berlin, 31 December in UTC.
CONNECTED = datetime.datetime(2026, 11, 2, 0, 30, tzinfo=BERLIN)
ENDS = CONNECTED.astimezone(datetime.UTC) + datetime.timedelta(days=60)
BODY = (
    "Listening is **the part** of writing in public that nobody sees.\n\n"
    "- ask (really) one question\n- answer every reply\n\n"
    "Notes: [my list](https://klartext.example/notes/listen_first) #listening @everyone"
)


@pytest.fixture
def member(db):
    return MembershipFactory(time_zone="Europe/Berlin", user__email="alice@example.test")


def connect(client, member, fake):
    client.force_login(member.user)
    response = client.post(reverse("publishing:connect_linkedin"))
    assert response.status_code == 302
    authorize = requests.get(response["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(authorize.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302
    return ConnectedAccount.objects.get(user=member.user, network="linkedin")


def post_now(client, piece, django_capture_on_commit_callbacks, text=None, status=302):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("publishing:piece", args=[piece.pk]),
            {"post_linkedin": "on", "text_linkedin": text or network_text.plain_text(piece.body), "when": "now"},
        )
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def test_a_member_connects_linkedin_and_klartext_keeps_when_the_token_ends(client, member, fake_linkedin):
    with time_machine.travel(CONNECTED, tick=False):
        client.force_login(member.user)
        start = client.post(reverse("publishing:connect_linkedin"))
        query = parse_qs(urlsplit(start["Location"]).query)
        assert query["scope"] == ["openid profile w_member_social"]
        assert query["redirect_uri"] == ["http://testserver/networks/linkedin/callback/"]

        account = connect(client, member, fake_linkedin)

        assert account.handle == "Alice Adams"
        assert account.remote_id == "urn:li:person:abc123"
        assert account.secret.startswith("li-token-")
        assert account.expires_at == ENDS
        page = client.get(reverse("mail:preferences")).content.decode()
    assert "this connection ends on 1 January 2027" in page
    assert "Disconnect LinkedIn" in page


def test_without_a_linkedin_app_linkedin_stays_a_hand_off(client, member, settings):
    settings.LINKEDIN_CLIENT_ID = settings.LINKEDIN_CLIENT_SECRET = ""
    piece = make_ready_piece(body="A short one.", membership=member)
    client.force_login(member.user)

    preferences = client.get(reverse("mail:preferences")).content.decode()
    publish = client.get(reverse("lessons:publish", args=[piece.pk])).content.decode()

    assert reverse("publishing:connect_linkedin") not in preferences
    assert "LinkedIn" not in preferences
    assert "https://www.linkedin.com/feed/?shareActive=true" in publish  # the hand-off, as before
    assert client.post(reverse("publishing:connect_linkedin")).status_code == 404
    assert client.get(reverse("publishing:linkedin_callback") + "?code=x&state=y").status_code == 404


def test_a_piece_goes_out_once_as_its_plain_text_its_url_recorded_and_the_piece_published(
    client, member, fake_linkedin, django_capture_on_commit_callbacks
):
    connect(client, member, fake_linkedin)
    piece = make_ready_piece(body=BODY, membership=member)
    post_now(client, piece, django_capture_on_commit_callbacks)
    publication = Publication.objects.get(submission=piece, network="linkedin")

    assert posting.post(publication.pk) == "posted"
    assert posting.post(publication.pk) == "taken"

    assert len(fake_linkedin.posts) == 1
    made = fake_linkedin.posts[0]
    assert made["author"] == "urn:li:person:abc123"
    # Nothing cut by LinkedIn's reserved characters: a reader sees the whole plain text.
    assert made["shown"] == network_text.plain_text(BODY)
    assert "https://klartext.example/notes/listen_first" in made["commentary"]  # links left whole
    assert made["headers"]["X-Restli-Protocol-Version"] == "2.0.0"
    publication.refresh_from_db()
    url = f"https://www.linkedin.com/feed/update/{made['urn']}/"
    assert publication.state == "posted" and publication.url == url
    assert PostLog.objects.get(submission=piece).url == url
    assert Submission.objects.get(pk=piece.pk).state == "published"


def test_a_text_longer_than_one_linkedin_post_is_refused_and_kept(
    client, member, fake_linkedin, django_capture_on_commit_callbacks
):
    connect(client, member, fake_linkedin)
    piece = make_ready_piece(body="A short one.", membership=member)
    long_text = "Listening first. " * 200

    response = post_now(client, piece, django_capture_on_commit_callbacks, text=long_text, status=422)

    page = response.content.decode()
    assert "LinkedIn takes up to 3000 characters in one post; this has 3399. Shorten it." in page
    assert long_text.strip()[:200] in page
    assert not Publication.objects.filter(submission=piece).exists()


def test_a_401_marks_linkedin_for_reconnecting_posts_nothing_and_emails_the_member(
    client, member, fake_linkedin, django_capture_on_commit_callbacks
):
    account = connect(client, member, fake_linkedin)
    piece = make_ready_piece(body="A short one.", membership=member)
    post_now(client, piece, django_capture_on_commit_callbacks)
    publication = Publication.objects.get(submission=piece)
    fake_linkedin.revoked.add(account.secret)

    with django_capture_on_commit_callbacks(execute=False):
        assert posting.post(publication.pk) == "reconnect"

    assert fake_linkedin.posts == []
    account.refresh_from_db()
    assert account.state == "reconnect"
    assert Delivery.objects.get(membership=member, kind=Kind.RECONNECT_NEEDED).variant == "linkedin"
    page = client.get(reverse("mail:preferences")).content.decode()
    assert "Reconnect needed: LinkedIn ended Klartext's access." in page
    assert "Reconnect LinkedIn" in page


def test_a_dropped_connection_after_the_post_left_is_unknown_and_never_posted_again(
    client, member, fake_linkedin, django_capture_on_commit_callbacks
):
    connect(client, member, fake_linkedin)
    piece = make_ready_piece(body="A short one.", membership=member)
    post_now(client, piece, django_capture_on_commit_callbacks)
    publication = Publication.objects.get(submission=piece)
    fake_linkedin.faults.append("drop")

    assert posting.post(publication.pk) == "unknown"
    assert posting.post(publication.pk) == "taken"
    posting.tick()
    # The member cannot post it again from the page either: the unknown one stays the live one.
    again = post_now(client, piece, django_capture_on_commit_callbacks, status=422)
    assert "This piece is already posted or scheduled on LinkedIn." in again.content.decode()

    publication.refresh_from_db()
    assert publication.state == "unknown" and publication.flagged
    assert len(fake_linkedin.posts) == 1
    assert Publication.objects.filter(submission=piece).count() == 1
    assert not PostLog.objects.filter(submission=piece).exists()


def test_a_week_before_the_token_ends_the_member_is_asked_once_to_reconnect(
    client, member, fake_linkedin, django_capture_on_commit_callbacks
):
    with time_machine.travel(CONNECTED, tick=False):
        account = connect(client, member, fake_linkedin)
    ends = account.expires_at

    with time_machine.travel(ends - datetime.timedelta(days=7, minutes=1), tick=False):
        assert accounts.remind_expiring() == {"ended": 0, "reminded": 0}
    with time_machine.travel(ends - datetime.timedelta(days=7), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert accounts.remind_expiring() == {"ended": 0, "reminded": 1}
        assert len(queued) == 1
        assert accounts.remind_expiring()["reminded"] == 0
        client.force_login(member.user)  # weeks later: a new session
        page = client.get(reverse("mail:preferences")).content.decode()
    with time_machine.travel(ends - datetime.timedelta(days=1), tick=False):
        assert accounts.remind_expiring()["reminded"] == 0

    delivery = Delivery.objects.get(membership=member, kind=Kind.RECONNECT_NEEDED)
    assert delivery.variant == "linkedin:2027-01-01"  # the day in Berlin
    message = BatchContext([delivery], ends).build(delivery, connection=None)
    assert message.subject == "Your LinkedIn connection ends on 1 January 2027: please reconnect"
    assert "LinkedIn asks you to sign in again every 60 days" in message.body
    assert "Your LinkedIn connection ends on 1 January 2027: reconnect now" in page
    assert "Reconnect LinkedIn" in page

    with time_machine.travel(ends, tick=False):
        assert accounts.remind_expiring() == {"ended": 1, "reminded": 0}
    account.refresh_from_db()
    assert account.state == "reconnect"
    assert Delivery.objects.filter(membership=member, kind=Kind.RECONNECT_NEEDED).count() == 1


def test_reconnecting_starts_a_new_60_days_with_its_own_reminder(client, member, fake_linkedin):
    with time_machine.travel(CONNECTED, tick=False):
        account = connect(client, member, fake_linkedin)
    with time_machine.travel(account.expires_at - datetime.timedelta(days=3), tick=False):
        accounts.remind_expiring()
        renewed = connect(client, member, fake_linkedin)
    assert renewed.pk == account.pk
    assert renewed.expires_at == account.expires_at + datetime.timedelta(days=57)
    with time_machine.travel(renewed.expires_at - datetime.timedelta(days=6), tick=False):
        assert accounts.remind_expiring()["reminded"] == 1
    assert Delivery.objects.filter(membership=member, kind=Kind.RECONNECT_NEEDED).count() == 2


def test_disconnecting_linkedin_revokes_the_token_and_deletes_it(client, member, fake_linkedin):
    account = connect(client, member, fake_linkedin)

    response = client.post(reverse("publishing:disconnect", args=["linkedin"]), follow=True)

    assert "LinkedIn is disconnected and its key deleted." in response.content.decode()
    assert account.secret in fake_linkedin.revoked
    assert not ConnectedAccount.objects.filter(user=member.user).exists()
