"""Mastodon through Mastodon.py: the app registered once per server, the OAuth code flow, posting
with an Idempotency-Key per post, and reading the replies (a status's context).

Mastodon.py wraps every failure in its own exceptions; `_translate` turns them into the ones the
posting rules act on (publishing.errors), looking at the underlying requests error to tell "never
sent" from "sent, answer lost"."""

import html
import re

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from . import egress
from .errors import (
    ConnectError,
    NotSent,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    RevokeFailed,
    TokenRefused,
    never_left,
)
from .models import MastodonApp

SCOPES = ["write:statuses", "read:statuses", "read:notifications"]
APP_NAME = "Klartext"
DEFAULT_RETRY_AFTER = 60
# What an unknown or misbehaving server makes Mastodon.py (or reading its answer) raise: network
# failures and HTTP errors are MastodonError; an answer of the wrong shape a KeyError, TypeError or
# ValueError.
SERVER_ERRORS = (MastodonError, KeyError, TypeError, ValueError)


def base_url(instance):
    """https://<instance>; tests point every instance at a local fake."""
    return settings.KLARTEXT_MASTODON_URL_TEMPLATE.format(instance=instance)


def redirect_uri():
    return settings.SITE_URL + reverse("publishing:mastodon_callback")


def _allow_http():
    return base_url("x").startswith("http://")


class _Session(requests.Session):
    """Keeps the last response, so a 429's Retry-After can be read (Mastodon.py drops it)."""

    last_response = None

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        self.last_response = response
        return response


def _api(instance, app=None, access_token=None):
    return Mastodon(
        client_id=app.client_id if app else None,
        client_secret=app.client_secret if app else None,
        access_token=access_token,
        api_base_url=base_url(instance),
        version_check_mode="none",
        ratelimit_method="throw",
        request_timeout=settings.KLARTEXT_NETWORK_TIMEOUT,
        session=_Session(),
        user_agent="Klartext",
    )


def _retry_after(api):
    response = getattr(api.session, "last_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _never_left(error):
    """A connection that could not be made: the request never reached the server."""
    return never_left(error.__cause__ or error.__context__)


def _translate(error, api):
    if isinstance(error, MastodonUnauthorizedError):
        return TokenRefused("The server refused the token (401).")
    if isinstance(error, MastodonRatelimitError):
        return RateLimited(_retry_after(api))
    if isinstance(error, MastodonNetworkError):
        if _never_left(error):
            return NotSent(f"No connection to the server: {type(error.__context__).__name__}")
        return OutcomeUnknown(f"The connection broke after the post was sent: {type(error.__context__).__name__}")
    if isinstance(error, MastodonAPIError):
        return Rejected(f"The server refused the post: {error.args[1:3] if len(error.args) > 2 else error}")
    return Rejected(str(error))


# --- connecting -------------------------------------------------------------------------------


def register_app(instance):
    """Klartext's app on `instance`, registered on first use and kept; reads the server's limits.
    ConnectError("register") when the server does not answer like a Mastodon server,
    ConnectError("not_public") when it is not on the public internet."""
    try:
        egress.require_public(base_url(instance))
    except egress.NotPublic as error:
        raise ConnectError("not_public") from error
    app = MastodonApp.objects.filter(instance=instance).first()
    if app is not None:
        return app
    try:
        client_id, client_secret = Mastodon.create_app(
            APP_NAME,
            scopes=SCOPES,
            redirect_uris=redirect_uri(),
            website=settings.SITE_URL,
            api_base_url=base_url(instance),
            request_timeout=settings.KLARTEXT_NETWORK_TIMEOUT,
        )
        app = MastodonApp(instance=instance, client_id=client_id, client_secret=client_secret)
        read_limits(app)
    except SERVER_ERRORS as error:
        raise ConnectError("register") from error
    app.save()
    # A concurrent registration keeps the first row.
    return MastodonApp.objects.get(instance=instance) if app.pk is None else app


def read_limits(app):
    """The server's own post length and link length (instance v2, else v1)."""
    api = _api(app.instance, app)
    try:
        info = api.instance_v2()
        statuses = info["configuration"]["statuses"]
    except (MastodonAPIError, KeyError, TypeError):
        info = api.instance_v1()
        statuses = (info.get("configuration") or {}).get("statuses") or {}
        statuses.setdefault("max_characters", info.get("max_toot_chars") or 500)
    app.max_characters = int(statuses.get("max_characters") or 500)
    app.url_length = int(statuses.get("characters_reserved_per_url") or 23)


def authorize_url(app, state):
    return _api(app.instance, app).auth_request_url(
        redirect_uris=redirect_uri(), scopes=SCOPES, state=state, allow_http=_allow_http()
    )


def finish_login(app, code):
    """The access token for `code`, and the account it belongs to: (token, id, handle).
    ConnectError("login") when the server refuses the code or answers oddly."""
    api = _api(app.instance, app)
    try:
        token = api.log_in(code=code, redirect_uri=redirect_uri(), scopes=SCOPES, allow_http=_allow_http())
        me = api.account_verify_credentials()
        acct = me["acct"]
        return token, str(me["id"]), f"@{acct}@{app.instance}" if "@" not in acct else f"@{acct}"
    except SERVER_ERRORS as error:
        raise ConnectError("login") from error


def revoke(account):
    api = _api(account.mastodon_app.instance, account.mastodon_app, account.secret)
    try:
        api.revoke_access_token(allow_http=_allow_http())
    except MastodonError as error:
        raise RevokeFailed(type(error).__name__) from error


# --- posting ----------------------------------------------------------------------------------


def post(account, publication, index, text, reply_to):
    """Post one part of a thread; the Idempotency-Key makes a resent request return the first
    status instead of a second one."""
    api = _api(account.mastodon_app.instance, account.mastodon_app, account.secret)
    try:
        status = api.status_post(
            text,
            in_reply_to_id=reply_to["id"] if reply_to else None,
            idempotency_key=f"klartext-publication-{publication.pk}-{index}",
            visibility="public",
        )
    except MastodonError as error:
        raise _translate(error, api) from error
    return {"id": str(status["id"]), "uri": status.get("uri") or "", "url": status.get("url") or status.get("uri")}


# --- replies ----------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def _plain(content):
    return html.unescape(_TAG.sub(" ", (content or "").replace("</p><p>", "\n\n").replace("<br>", "\n"))).strip()


def replies(account, publication):
    """Every status below the thread's first post, as dicts for publishing.replies."""
    api = _api(account.mastodon_app.instance, account.mastodon_app, account.secret)
    try:
        context = api.status_context(publication.root["id"])
    except MastodonError as error:
        raise _translate(error, api) from error
    own = {part["id"] for part in publication.posted}  # the thread's own later posts
    found = []
    for status in context["descendants"]:
        if str(status["id"]) in own:
            continue
        author = status["account"]
        written = status["created_at"]
        found.append(
            {
                "remote_id": str(status["id"]),
                "parent_id": str(status.get("in_reply_to_id") or ""),
                "author_handle": "@" + author["acct"],
                "author_name": author.get("display_name") or "",
                "by_member": str(author["id"]) == account.remote_id,
                "text": _plain(status.get("content")),
                "url": status.get("url") or status.get("uri") or "",
                "written_at": parse_datetime(written) if isinstance(written, str) else written,
            }
        )
    return found
