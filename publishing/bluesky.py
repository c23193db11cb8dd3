"""Bluesky through the atproto SDK: an account is a handle and an app password; the PDS is found
from the handle (handle → DID → DID document → PDS), so self-hosted servers work.

Each post of a thread is a createRecord with a record key derived from the publication and the
part's position: a retry of the same part conflicts with the record already there instead of
making a second post. Links get byte-offset facets; the first post carries a link card."""

import datetime
from collections import namedtuple

import httpx
from django.conf import settings
from django.utils.dateparse import parse_datetime

from . import egress
from .errors import ConnectError, NotSent, OutcomeUnknown, RateLimited, Rejected, RevokeFailed, TokenRefused
from .text import links

Atproto = namedtuple("Atproto", "Client errors IdResolver")


def _atproto():
    """atproto's client, errors and identity resolver, imported on first use: its generated client
    takes over a second to import, which every process that loads the app (web, workers, beat,
    manage.py) would pay though only a call to Bluesky needs it."""
    from atproto import Client  # late on purpose: see the docstring
    from atproto_client import exceptions
    from atproto_identity.resolver import IdResolver

    return Atproto(Client, exceptions, IdResolver)


POST = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
DEFAULT_RETRY_AFTER = 60


def post_url(handle, rkey):
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def rkey_for(publication, index):
    """A TID (the record key format of posts) fixed by the publication and the part: the time it
    was created (plus the part's position, in microseconds) and a clock id from its id."""
    micros = int(publication.created_at.timestamp() * 1_000_000) + index
    value = ((micros & ((1 << 53) - 1)) << 10) | (publication.pk % 1024)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def facets(text):
    """Link facets with UTF-8 byte offsets, as the lexicon counts them."""
    found = []
    for url, start, end in links(text):
        byte_start = len(text[:start].encode())
        found.append(
            {
                "index": {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode())},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return found


def link_card(url):
    """An external embed for the piece's first link (no image: nothing is fetched from it)."""
    host = httpx.URL(url).host
    return {"$type": "app.bsky.embed.external", "external": {"uri": url, "title": host, "description": url}}


# --- identity and sessions -------------------------------------------------------------------


def resolve(handle):
    """(did, pds_url) for a handle."""
    atproto = _atproto()
    at = atproto.errors
    try:
        response = httpx.get(
            f"{settings.ATPROTO_HANDLE_RESOLVER_URL}/xrpc/com.atproto.identity.resolveHandle",
            params={"handle": handle},
            timeout=settings.KLARTEXT_NETWORK_TIMEOUT,
        )
        did = response.json().get("did") if response.status_code == 200 else None
        if not did:
            raise ConnectError("handle")
        if did.startswith("did:web:"):  # its document is fetched from the domain it names
            egress.require_public(f"https://{did.removeprefix('did:web:').replace('%3A', ':')}/")
        data = atproto.IdResolver(
            plc_url=settings.ATPROTO_PLC_URL, timeout=settings.KLARTEXT_NETWORK_TIMEOUT
        ).did.resolve_atproto_data(did)
    except egress.NotPublic as error:
        raise ConnectError("not_public") from error
    except (httpx.HTTPError, ValueError, at.AtProtocolError) as error:
        raise ConnectError("resolve") from error
    if not data or not data.pds:
        raise ConnectError("pds")
    try:
        egress.require_public(data.pds)
    except egress.NotPublic as error:
        raise ConnectError("not_public") from error
    return did, data.pds.rstrip("/")


def _client(service_url):
    return _atproto().Client(base_url=f"{service_url}/xrpc")


def login(handle, app_password):
    """Connect: (did, pds, handle as the PDS spells it, session string)."""
    at = _atproto().errors
    did, pds = resolve(handle)
    client = _client(pds)
    try:
        client.login(did, app_password, fetch_bsky_profile=False)
    except at.UnauthorizedError as error:
        raise ConnectError("password") from error
    except at.AtProtocolError as error:
        raise ConnectError("login") from error
    return did, pds, client.me.handle if client.me else handle, client.export_session_string()


class Session:
    """A logged-in client for an account: the kept session, else the app password again; a new
    session is written back to the account (encrypted)."""

    def __init__(self, account):
        at = _atproto().errors
        self.account = account
        self.client = _client(account.service_url)
        if account.session:
            try:
                self.client.login(session_string=account.session, fetch_bsky_profile=False)
                return
            except at.AtProtocolError:
                pass
        self.relogin()

    def relogin(self):
        at = _atproto().errors
        try:
            self.client.login(self.account.remote_id, self.account.secret, fetch_bsky_profile=False)
        except at.UnauthorizedError as error:
            raise TokenRefused("The app password was refused (401).") from error
        except at.AtProtocolError as error:
            raise _translate(error) from error
        self.account.session = self.client.export_session_string()
        self.account.save(update_fields=["session"])

    def call(self, fn):
        at = _atproto().errors
        try:
            return fn()
        except at.UnauthorizedError:
            self.relogin()
        try:
            return fn()
        except at.UnauthorizedError as error:
            raise TokenRefused("The PDS refused the session (401).") from error


def _retry_after(error):
    seconds = error.retry_after if hasattr(error, "retry_after") else None
    if seconds is None and getattr(error, "reset_at", None):
        seconds = (error.reset_at - datetime.datetime.now(datetime.UTC)).total_seconds()
    return max(1, int(seconds)) if seconds else DEFAULT_RETRY_AFTER


def _translate(error):
    at = _atproto().errors
    if isinstance(error, at.UnauthorizedError):
        return TokenRefused("The PDS refused the session (401).")
    if isinstance(error, at.RateLimitExceededError):
        return RateLimited(_retry_after(error))
    if isinstance(error, at.NetworkError) and error.response is None:
        if isinstance(error.__cause__, (httpx.ConnectError, httpx.ConnectTimeout)):
            return NotSent(f"No connection to the PDS: {type(error.__cause__).__name__}")
        return OutcomeUnknown(f"The connection broke after the post was sent: {type(error.__cause__).__name__}")
    if isinstance(error, at.NetworkError) and error.response.status_code == 502:
        return OutcomeUnknown("The PDS answered 502 after the post was sent.")
    return Rejected(f"The PDS refused the post: {error}")


# --- posting ----------------------------------------------------------------------------------


def post(account, publication, index, text, reply_to):
    at = _atproto().errors
    session = Session(account)
    rkey = rkey_for(publication, index)
    record = {
        "$type": POST,
        "text": text,
        "createdAt": datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z"),
    }
    found = facets(text)
    if found:
        record["facets"] = found
    if reply_to:
        root = publication.root
        record["reply"] = {
            "root": {"uri": root["uri"], "cid": root["cid"]},
            "parent": {"uri": reply_to["uri"], "cid": reply_to["cid"]},
        }
    else:
        first = links("\n".join(publication.parts))
        if first:
            record["embed"] = link_card(first[0][0])
    data = {"repo": account.remote_id, "collection": POST, "rkey": rkey, "record": record}
    try:
        created = session.call(lambda: session.client.com.atproto.repo.create_record(data=data))
    except at.AtProtocolError as error:
        # The record key is this part's own: if a record is there, it is this part, posted once
        # (a PDS answers a repeated key with an error, 500 on the reference PDS, never a double).
        existing = (
            None
            if isinstance(error, (at.RateLimitExceededError, at.UnauthorizedError))
            else _existing(session, account, rkey)
        )
        if existing is not None:
            return {"id": rkey, "uri": existing.uri, "cid": existing.cid, "url": post_url(account.handle, rkey)}
        raise _translate(error) from error
    return {"id": rkey, "uri": created.uri, "cid": created.cid, "url": post_url(account.handle, rkey)}


def _existing(session, account, rkey):
    at = _atproto().errors
    try:
        return session.client.com.atproto.repo.get_record(
            params={"repo": account.remote_id, "collection": POST, "rkey": rkey}
        )
    except at.AtProtocolError:
        return None


# --- replies ----------------------------------------------------------------------------------


def replies(account, publication):
    """Every reply below the thread's first post (the AppView's thread view, through the PDS)."""
    at = _atproto().errors
    session = Session(account)
    own = {part["uri"] for part in publication.posted}
    try:
        thread = session.call(
            lambda: session.client.app.bsky.feed.get_post_thread(params={"uri": publication.root["uri"], "depth": 20})
        ).thread
    except at.AtProtocolError as error:
        raise _translate(error) from error
    found = []

    def walk(node):
        for child in getattr(node, "replies", None) or []:
            post = getattr(child, "post", None)
            if post is None:
                continue
            if post.uri not in own:
                reply = getattr(post.record, "reply", None)
                written = parse_datetime(post.record.created_at) if post.record.created_at else None
                found.append(
                    {
                        "remote_id": post.uri,
                        "parent_id": reply.parent.uri if reply else "",
                        "author_handle": "@" + post.author.handle,
                        "author_name": post.author.display_name or "",
                        "by_member": post.author.did == account.remote_id,
                        "text": post.record.text,
                        "url": post_url(post.author.handle, post.uri.rsplit("/", 1)[-1]),
                        "written_at": written,
                    }
                )
            walk(child)

    walk(thread)
    return found


def end_session(account):
    """Ends Klartext's session on the PDS (an app password itself is revoked by its owner in
    Bluesky's settings: an app-password session may not revoke it)."""
    if not account.session:
        return
    at = _atproto().errors
    client = _client(account.service_url)
    try:
        client.login(session_string=account.session, fetch_bsky_profile=False)
        client.com.atproto.server.delete_session(headers={"Authorization": f"Bearer {client._session.refresh_jwt}"})
    except at.AtProtocolError as error:
        raise RevokeFailed(type(error).__name__) from error
