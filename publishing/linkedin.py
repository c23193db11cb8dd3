"""LinkedIn through its documented REST API (with requests): "Share on LinkedIn" by the OAuth 2.0
authorization code flow, the member's URN from the OpenID userinfo, posting with the Posts API,
revoking the token on disconnect.

Only when LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET are configured (`enabled`); otherwise
LinkedIn stays a hand-off on the publish page. LinkedIn has no idempotency key: once the request
has left, any answer but a clear yes or no (a dropped connection, a timeout, a 5xx) is
OutcomeUnknown, and the post is never sent again. Its tokens last 60 days with no refresh for
ordinary apps: the expiry is kept and the member asked to reconnect (publishing.accounts).
Replies are not read: LinkedIn grants reading comments only to its partners."""

import datetime
import re
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .errors import ConnectError, NotSent, OutcomeUnknown, RateLimited, Rejected, RevokeFailed, TokenRefused, never_left
from .text import links

SCOPES = ["openid", "profile", "w_member_social"]
DEFAULT_RETRY_AFTER = 60
# The "little text" format of a post's commentary reserves these; unescaped, LinkedIn cuts the
# post at the first one (and still answers 201).
RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")


def enabled():
    return bool(settings.LINKEDIN_CLIENT_ID and settings.LINKEDIN_CLIENT_SECRET)


def redirect_uri():
    return settings.SITE_URL + reverse("publishing:linkedin_callback")


def _timeout():
    return settings.KLARTEXT_NETWORK_TIMEOUT


# --- connecting -------------------------------------------------------------------------------


def authorize_url(state):
    query = {
        "response_type": "code",
        "client_id": settings.LINKEDIN_CLIENT_ID,
        "redirect_uri": redirect_uri(),
        "state": state,
        "scope": " ".join(SCOPES),
    }
    return f"{settings.LINKEDIN_OAUTH_URL}/authorization?{urlencode(query)}"


def finish_login(code, now=None):
    """The token for `code`, when it expires, and who it belongs to: (token, expires_at, urn, name).
    ConnectError("login") when LinkedIn refuses the code or answers oddly."""
    now = now or timezone.now()
    try:
        answer = requests.post(
            f"{settings.LINKEDIN_OAUTH_URL}/accessToken",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": settings.LINKEDIN_CLIENT_ID,
                "client_secret": settings.LINKEDIN_CLIENT_SECRET,
                "redirect_uri": redirect_uri(),
            },
            timeout=_timeout(),
        )
        answer.raise_for_status()
        grant = answer.json()
        token = grant["access_token"]
        expires_at = now + datetime.timedelta(seconds=int(grant["expires_in"]))
        answer = requests.get(
            f"{settings.LINKEDIN_API_URL}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=_timeout()
        )
        answer.raise_for_status()
        me = answer.json()
        urn = f"urn:li:person:{me['sub']}"
    except (requests.RequestException, KeyError, TypeError, ValueError) as error:
        raise ConnectError("login") from error
    name = me.get("name") or " ".join(filter(None, [me.get("given_name"), me.get("family_name")])) or urn
    return token, expires_at, urn, name


def revoke(account):
    try:
        answer = requests.post(
            f"{settings.LINKEDIN_OAUTH_URL}/revoke",
            data={
                "client_id": settings.LINKEDIN_CLIENT_ID,
                "client_secret": settings.LINKEDIN_CLIENT_SECRET,
                "token": account.secret,
            },
            timeout=_timeout(),
        )
    except requests.RequestException as error:
        raise RevokeFailed(type(error).__name__) from error
    if answer.status_code != 200:
        raise RevokeFailed(f"HTTP {answer.status_code}")


# --- posting ----------------------------------------------------------------------------------


def commentary(text):
    """Plain text as a post's commentary: reserved characters escaped, links left whole so that
    LinkedIn still makes them links."""
    escaped, last = [], 0
    for url, start, end in links(text):
        escaped += [RESERVED.sub(r"\\\1", text[last:start]), url]
        last = end
    escaped.append(RESERVED.sub(r"\\\1", text[last:]))
    return "".join(escaped)


def post_url(urn):
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _retry_after(answer):
    try:
        return max(1, int(answer.headers.get("Retry-After")))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _refusal(answer):
    try:
        message = str(answer.json().get("message") or "")[:300]
    except (ValueError, AttributeError):
        message = ""
    return f"LinkedIn refused the post (HTTP {answer.status_code}) {message}".strip()


def post(account, publication, index, text, reply_to):
    """Post the text as one LinkedIn post (LinkedIn has no threads). Sent once: no retry here."""
    if index or reply_to:
        raise Rejected("LinkedIn posts are single posts, not threads.")
    body = {
        "author": account.remote_id,
        "commentary": commentary(text),
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    headers = {
        "Authorization": f"Bearer {account.secret}",
        "LinkedIn-Version": settings.LINKEDIN_API_VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }
    try:
        answer = requests.post(
            f"{settings.LINKEDIN_API_URL}/rest/posts", json=body, headers=headers, timeout=_timeout()
        )
    except requests.RequestException as error:
        if never_left(error):
            raise NotSent(f"No connection to LinkedIn: {type(error).__name__}") from error
        raise OutcomeUnknown(f"The connection broke after the post was sent: {type(error).__name__}") from error
    if answer.status_code == 401:
        raise TokenRefused("LinkedIn refused the token (401).")
    if answer.status_code == 429:
        raise RateLimited(_retry_after(answer))
    if answer.status_code >= 500:
        # Without an idempotency key a server error may still have made the post.
        raise OutcomeUnknown(f"LinkedIn answered HTTP {answer.status_code}; the post may exist.")
    if answer.status_code not in (200, 201):
        raise Rejected(_refusal(answer))
    urn = answer.headers.get("x-restli-id", "").strip()
    if not urn.startswith("urn:li:"):
        raise OutcomeUnknown("LinkedIn accepted the post but did not say its id.")
    return {"id": urn, "uri": urn, "url": post_url(urn)}
