"""What can go wrong when posting, in the terms the posting rules act on."""

import requests


class NetworkError(Exception):
    """Base: `detail` is safe to store and show (never a token)."""

    def __init__(self, detail=""):
        super().__init__(detail)
        self.detail = str(detail)[:1000]


class NotSent(NetworkError):
    """The request never reached the network (no connection): safe to try again."""


class OutcomeUnknown(NetworkError):
    """The request left, the answer did not come back: the post may exist. Never re-posted."""


class RateLimited(NetworkError):
    def __init__(self, retry_after, detail=""):
        super().__init__(detail or f"rate limited, retry after {retry_after} s")
        self.retry_after = retry_after


class TokenRefused(NetworkError):
    """401: the token or app password was revoked or expired; the member must reconnect."""


class Rejected(NetworkError):
    """The network refused the post for good (4xx other than 401/429, 5xx)."""


class ConnectError(NetworkError):
    """Connecting an account failed; `detail` is a sentence for the member."""


class RevokeFailed(NetworkError):
    """The network did not confirm that Klartext's token or session was revoked."""


def never_left(error):
    """Whether a requests error means the connection could not be made (the request never reached
    the network), as opposed to one that broke after the request left."""
    return isinstance(error, requests.exceptions.ConnectTimeout) or (
        isinstance(error, requests.exceptions.ConnectionError)
        and not isinstance(error, requests.exceptions.ReadTimeout)
        and "NewConnectionError" in repr(error)
    )
