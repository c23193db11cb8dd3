"""Rate limits for the doors anyone can knock on without signing in: signing in, accepting an
invitation (which creates an account) and asking for a password reset email.

A fixed window per limit: one counter per (limit, key, window) in the cache, which is Redis in
production (shared by every worker; INCR is atomic) and a per-process memory cache in
development and tests. A request is counted against every key it names, typically the client
address and the target (the invitation token, the email address), and refused when any counter
is over its limit.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int  # requests allowed per window
    seconds: int  # window length

    @property
    def minutes(self):
        return math.ceil(self.seconds / 60)


# Sign-in attempts per client address, over every email: django-axes locks an (email, address)
# after three failures, which alone lets one address try three passwords on every account there is.
# An office signing in together behind one address stays far below this.
SIGN_IN_PER_IP = Limit("sign-in-ip", 40, 15 * 60)
# Per client address: generous enough for one office signing up together behind one address.
INVITATION_PER_IP = Limit("invitation-ip", 30, 15 * 60)
# Per invitation link: one person, a few typos.
INVITATION_PER_TOKEN = Limit("invitation-token", 10, 15 * 60)
PASSWORD_RESET_PER_IP = Limit("reset-ip", 20, 60 * 60)
# Per address asked for: a handful of emails an hour, so nobody can flood someone's inbox.
PASSWORD_RESET_PER_EMAIL = Limit("reset-email", 5, 60 * 60)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the fullest window ends

    @property
    def retry_minutes(self):
        return max(1, math.ceil(self.retry_after / 60))

    def __bool__(self):
        return self.allowed


def _cache_key(limit, key, window):
    # Hashed: keys may hold an email address or a token, which have no business in Redis as such.
    digest = hashlib.sha256(f"{limit.name}\0{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{limit.name}:{digest}:{window}"


def hit(*checks, now=None):
    """Count one request against each (limit, key) in `checks`; allowed while every counter is
    within its limit. Keys that are empty (no email typed yet) are skipped."""
    now = time.time() if now is None else now
    allowed, retry_after = True, 0
    for limit, key in checks:
        if not key:
            continue
        window = int(now // limit.seconds)
        name = _cache_key(limit, key, window)
        # add() creates the counter only if it is missing, so concurrent first requests do not
        # reset each other; the expiry outlives the window slightly, then the key just vanishes.
        cache.add(name, 0, timeout=limit.seconds + 60)
        try:
            count = cache.incr(name)
        except ValueError:  # evicted between add() and incr(): start over
            cache.add(name, 1, timeout=limit.seconds + 60)
            count = 1
        if count > limit.count:
            allowed = False
            retry_after = max(retry_after, math.ceil((window + 1) * limit.seconds - now))
    return Verdict(allowed, retry_after)
