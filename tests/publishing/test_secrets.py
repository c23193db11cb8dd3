"""Tokens are secrets: encrypted at rest, rotated with a new key, never in logs, exports or pages;
production does not start without the key; deleting the account deletes them."""

import io
import logging
import zipfile
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lessons.models import PostLog
from progress import privacy
from publishing import posting
from publishing.models import ConnectedAccount, Publication
from tests.factories import ConnectedAccountFactory, MastodonAppFactory, MembershipFactory, make_ready_piece

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(db):
    membership = MembershipFactory(time_zone="Europe/Berlin")
    return ConnectedAccountFactory(
        user=membership.user, mastodon_app=MastodonAppFactory(), session="bluesky-session-jwt-do-not-leak"
    )


def raw_rows():
    with connection.cursor() as cursor:
        rows = []
        for table in ("publishing_connectedaccount", "publishing_mastodonapp", "publishing_publication"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows += [" ".join(str(v) for v in row) for row in cursor.fetchall()]
    return "\n".join(rows)


def test_tokens_are_not_in_the_database_in_clear(account):
    stored = raw_rows()
    assert account.secret not in stored
    assert "bluesky-session-jwt-do-not-leak" not in stored
    assert "client-secret-1" not in stored
    assert ConnectedAccount.objects.get(pk=account.pk).secret == account.secret


def test_a_new_key_first_still_reads_old_rows_and_rotation_re_encrypts_them(account, settings):
    old_key = settings.KLARTEXT_FIELD_KEYS[0]
    before = raw_rows()
    settings.KLARTEXT_FIELD_KEYS = [Fernet.generate_key().decode(), old_key]
    assert ConnectedAccount.objects.get(pk=account.pk).secret == account.secret
    call_command("rotate_field_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert raw_rows() != before
    settings.KLARTEXT_FIELD_KEYS = settings.KLARTEXT_FIELD_KEYS[:1]  # the old key dropped
    assert ConnectedAccount.objects.get(pk=account.pk).secret == account.secret


def test_production_without_the_key_fails_the_system_check(settings):
    settings.KLARTEXT_FIELD_KEYS = []
    assert "publishing.E001" in [message.id for message in run_checks()]


def test_no_token_in_logs_pages_or_the_portfolio_export(client, account, caplog):
    caplog.set_level(logging.DEBUG)
    piece = make_ready_piece(body="Posted text.", membership=account.user.memberships.get())
    Publication.objects.create(
        submission=piece, account=account, network="mastodon", parts=["Posted text."], due_at=piece.shared_at
    )
    PostLog.objects.create(
        membership=piece.membership,
        submission=piece,
        url="https://mastodon.example/@alice/1",
        platform="mastodon",
        posted_on=piece.membership.local_today(),
    )
    client.force_login(account.user)
    pages = [
        reverse("mail:preferences"),
        reverse("publishing:piece", args=[piece.pk]),
        reverse("lessons:editor", args=[piece.pk]),
        reverse("lessons:publish", args=[piece.pk]),
        reverse("progress:practice"),
        reverse("circle:portfolio", args=["zip"]),
    ]
    seen = []
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if body.startswith(b"PK"):  # the portfolio: every file in the zip
            archive = zipfile.ZipFile(io.BytesIO(body))
            body = b"\n".join(archive.read(name) for name in archive.namelist())
        seen.append(body)
    seen.append(repr(account).encode())
    seen.append(str(account).encode())
    everything = b"\n".join(seen) + caplog.text.encode()
    for secret in (account.secret, "bluesky-session-jwt-do-not-leak", "client-secret-1"):
        assert secret.encode() not in everything, secret


def test_deleting_the_account_deletes_its_tokens(account):
    user_id = account.user_id
    privacy.delete_account(account.user)
    assert not ConnectedAccount.objects.filter(user_id=user_id).exists()
    assert account.secret not in raw_rows()


def test_linkedin_token_and_app_secret_never_in_the_database_logs_or_pages(
    client, fake_linkedin, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    membership = MembershipFactory(time_zone="Europe/Berlin")
    client.force_login(membership.user)
    start = client.post(reverse("publishing:connect_linkedin"))
    back = urlsplit(requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"])
    client.get(f"{back.path}?{back.query}")
    token = ConnectedAccount.objects.get(user=membership.user, network="linkedin").secret
    piece = make_ready_piece(body="Posted text.", membership=membership)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("publishing:piece", args=[piece.pk]),
            {"post_linkedin": "on", "text_linkedin": "Posted text.", "when": "now"},
        )
    fake_linkedin.faults.append("401")  # the refusal is logged and emailed: neither may carry the token
    with django_capture_on_commit_callbacks(execute=False):
        posting.post(Publication.objects.get(submission=piece).pk)

    assert token not in raw_rows()
    pages = [
        reverse("mail:preferences"),
        reverse("publishing:piece", args=[piece.pk]),
        reverse("lessons:publish", args=[piece.pk]),
    ]
    seen = [client.get(url).content for url in pages]
    seen += [str(Publication.objects.get(submission=piece).last_error).encode()]
    everything = b"\n".join(seen) + caplog.text.encode()
    for secret in (token, fake_linkedin.client_secret):
        assert secret.encode() not in everything, secret
