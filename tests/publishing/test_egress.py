"""Klartext connects only to servers on the public internet when a member names one (Mastodon)
or their identity does (Bluesky): no request from this server into its own network."""

import socket
from types import SimpleNamespace

import pytest
from django.urls import reverse

from publishing import bluesky, egress
from publishing.models import ConnectedAccount, MastodonApp
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# What the test's resolver answers (the sandbox has no DNS): names an attacker could register.
ADDRESSES = {
    "mastodon.inside.example": "10.1.2.3",
    "metadata.inside.example": "169.254.169.254",
    "v6.inside.example": "::1",
    "mapped.inside.example": "::ffff:127.0.0.1",
    "social.example": "93.184.215.14",
}


@pytest.fixture(autouse=True)
def guarded(settings, monkeypatch):
    settings.KLARTEXT_PRIVATE_NETWORKS_ALLOWED = False
    settings.KLARTEXT_MASTODON_URL_TEMPLATE = "https://{instance}"
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in ADDRESSES:
            family = socket.AF_INET6 if ":" in ADDRESSES[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (ADDRESSES[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://localhost/",
        "https://[::1]:8443/",
        "https://10.0.0.8/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",  # carrier-grade NAT
        "https://mastodon.inside.example/",
        "https://metadata.inside.example/",
        "https://v6.inside.example/",
        "https://mapped.inside.example/",
        "http://social.example/",  # public, but not https
        "https://no-such-host.invalid/",
        "https://[not-an-address/",
    ],
)
def test_a_url_inside_our_network_or_not_https_is_refused(url):
    with pytest.raises(egress.NotPublic):
        egress.require_public(url)


@pytest.mark.parametrize("url", ["https://social.example/", "https://93.184.215.14:8443/xrpc"])
def test_a_public_https_url_is_allowed(url):
    egress.require_public(url)


def test_connecting_a_mastodon_server_inside_our_network_says_so_and_sends_nothing(client, monkeypatch):
    member = MembershipFactory()
    monkeypatch.setattr("mastodon.Mastodon.create_app", pytest.fail)  # no request may leave
    client.force_login(member.user)

    response = client.post(reverse("publishing:connect_mastodon"), {"instance": "mastodon.inside.example"}, follow=True)

    assert "mastodon.inside.example is not a server on the public internet." in response.content.decode()
    assert not MastodonApp.objects.exists()
    assert not ConnectedAccount.objects.exists()


def test_a_bluesky_identity_whose_server_is_inside_our_network_is_refused(monkeypatch):
    answer = SimpleNamespace(status_code=200, json=lambda: {"did": "did:plc:abc"})
    monkeypatch.setattr(bluesky.httpx, "get", lambda *args, **kwargs: answer)
    document = SimpleNamespace(pds="https://metadata.inside.example")
    resolver = SimpleNamespace(did=SimpleNamespace(resolve_atproto_data=lambda did: document))
    real = bluesky._atproto()
    monkeypatch.setattr(bluesky, "_atproto", lambda: real._replace(IdResolver=lambda **kwargs: resolver))

    with pytest.raises(bluesky.ConnectError) as refused:
        bluesky.resolve("alice.social.example")
    assert refused.value.detail == "not_public"

    document.pds = "https://social.example"
    assert bluesky.resolve("alice.social.example") == ("did:plc:abc", "https://social.example")


def test_a_did_web_identity_is_not_fetched_from_inside_our_network(monkeypatch):
    answer = SimpleNamespace(status_code=200, json=lambda: {"did": "did:web:mastodon.inside.example"})
    monkeypatch.setattr(bluesky.httpx, "get", lambda *args, **kwargs: answer)
    real = bluesky._atproto()
    monkeypatch.setattr(bluesky, "_atproto", lambda: real._replace(IdResolver=lambda **kwargs: pytest.fail()))

    with pytest.raises(bluesky.ConnectError) as refused:
        bluesky.resolve("alice.social.example")
    assert refused.value.detail == "not_public"
