"""Bluesky, end to end against a REAL local AT Protocol network (npm's @atproto/dev-env: PLC, PDS
and the AppView, started by the `atproto` fixture): connect from a handle, a long piece posted as a
thread with a link facet and card, the URL recorded, a reply from another account brought home."""

import itertools
import time
import uuid

import httpx
import pytest
from atproto import Client
from django.urls import reverse
from django.utils import timezone

from lessons.models import PostLog, Submission
from publishing import posting, replies
from publishing.models import ConnectedAccount, Publication
from tests.factories import MembershipFactory, make_ready_piece

# One network per test run: `make test` (--dist loadgroup) keeps these tests on one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("atproto")]

LINK = "https://klartext.example/notes/zuhoeren"
SENTENCE = "Zuhören ist der Teil des öffentlichen Schreibens, den niemand sieht. "
# Umlauts before the link: its byte offsets differ from its character offsets.
ABOUT = f"Was ich über das Zuhören gelernt habe, steht hier: {LINK} und ich möchte deins hören. "
BODY = SENTENCE * 4 + ABOUT + SENTENCE * 5


def pds_account(network, name):
    """A fresh account on the local PDS: (handle, DID, logged-in SDK client)."""
    handle = f"{name}{uuid.uuid4().hex[:6]}.test"
    client = Client(base_url=f"{network['pds']}/xrpc")
    created = client.com.atproto.server.create_account(
        {"handle": handle, "email": f"{handle}@mail.test", "password": "pw-" + handle}
    )
    client.login(handle, "pw-" + handle, fetch_bsky_profile=False)
    return handle, created.did, client


def connect(client, member, network):
    handle, _did, sdk = pds_account(network, "alice")
    app_password = sdk.com.atproto.server.create_app_password({"name": "Klartext"}).password
    client.force_login(member.user)
    response = client.post(
        reverse("publishing:connect_bluesky"), {"handle": "@" + handle, "app_password": app_password}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ConnectedAccount.objects.get(user=member.user, network="bluesky"), sdk


def post_now(client, piece, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("publishing:piece", args=[piece.pk]),
            {"post_bluesky": "on", "text_bluesky": piece.body, "when": "now"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Publication.objects.get(submission=piece, network="bluesky")


def records(network, did):
    """The posts in the account's repository, as the PDS stores them (raw JSON), oldest first."""
    response = httpx.get(
        f"{network['pds']}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post", "reverse": "true"},
    )
    response.raise_for_status()
    return response.json()["records"]


def ref(record):
    return {"uri": record["uri"], "cid": record["cid"]}


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@pytest.fixture
def member(db):
    return MembershipFactory(time_zone="Europe/Berlin")


def test_a_member_connects_bluesky_posts_a_long_piece_as_a_thread_and_a_reply_comes_home(
    client, member, atproto, django_capture_on_commit_callbacks
):
    account, _sdk = connect(client, member, atproto)
    assert account.service_url == atproto["pds"]  # found from the handle, not configured
    assert account.remote_id.startswith("did:plc:")
    piece = make_ready_piece(body=BODY, membership=member)
    assert len(BODY) >= 700

    publication = post_now(client, piece, django_capture_on_commit_callbacks)
    assert posting.post(publication.pk) == "posted"

    stored = records(atproto, account.remote_id)
    assert len(stored) == len(publication.parts) >= 3
    texts = [record["value"]["text"] for record in stored]
    assert texts == publication.parts and all(len(text) <= 300 for text in texts)
    root = stored[0]
    assert "reply" not in root["value"]
    for previous, record in itertools.pairwise(stored):
        assert ref(record["value"]["reply"]["root"]) == ref(root)
        assert ref(record["value"]["reply"]["parent"]) == ref(previous)
    with_link = [record["value"] for record in stored if LINK in record["value"]["text"]]
    assert len(with_link) == 1
    (facet,) = with_link[0]["facets"]
    index = facet["index"]
    assert with_link[0]["text"].encode()[index["byteStart"] : index["byteEnd"]] == LINK.encode()
    assert index["byteStart"] != with_link[0]["text"].index(LINK)  # bytes, not characters
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": LINK}]
    assert root["value"]["embed"]["$type"] == "app.bsky.embed.external"
    assert root["value"]["embed"]["external"]["uri"] == LINK

    publication.refresh_from_db()
    rkey = root["uri"].rsplit("/", 1)[-1]
    assert publication.state == "posted"
    assert publication.url == f"https://bsky.app/profile/{account.handle}/post/{rkey}"
    assert PostLog.objects.get(submission=piece).url == publication.url
    assert Submission.objects.get(pk=piece.pk).state == "published"

    _bob, bob_did, bob = pds_account(atproto, "bob")
    second = stored[1]
    bob.com.atproto.repo.create_record(
        {
            "repo": bob_did,
            "collection": "app.bsky.feed.post",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": "Welcher Teil war der schwerste?",
                "createdAt": timezone.now().isoformat().replace("+00:00", "Z"),
                "reply": {
                    "root": {"uri": root["uri"], "cid": root["cid"]},
                    "parent": {"uri": second["uri"], "cid": second["cid"]},
                },
            },
        }
    )
    # The AppView indexes the reply from the PDS's event stream; the harvest reads the thread there.
    assert wait_for(lambda: replies.harvest()["replies"] == 1 or publication.replies.exists())
    reply = publication.replies.get()
    assert reply.parent_id == second["uri"] and not reply.by_member
    page = client.get(reverse("lessons:editor", args=[piece.pk])).content.decode()
    assert "Welcher Teil war der schwerste?" in page
    assert "Answer on Bluesky" in page


def test_a_retried_publication_finds_its_post_on_the_pds_instead_of_posting_it_again(
    client, member, atproto, django_capture_on_commit_callbacks
):
    account, _sdk = connect(client, member, atproto)
    piece = make_ready_piece(body=f"Kurz, mit einem Link: {LINK}", membership=member)
    publication = post_now(client, piece, django_capture_on_commit_callbacks)
    assert posting.post(publication.pk) == "posted"
    publication.refresh_from_db()
    url = publication.url

    # A worker that posted but stopped before writing it down: the row says nothing was posted.
    Publication.objects.filter(pk=publication.pk).update(state="pending", posted=[], url="")
    assert posting.post(publication.pk) == "posted"

    assert len(records(atproto, account.remote_id)) == 1
    publication.refresh_from_db()
    assert publication.url == url
