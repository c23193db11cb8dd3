"""One version token for "what members wrote, answered or published has changed": pages that
summarise writing (the facilitator's dashboard, a member's pieces on their home) keep their
figures in Django's cache under this token, and any change makes them recompute. Beside it, one
token per membership for what that member has read (`pieces.mark_read`): which responses are new
to them.

Changes through the ORM's save and delete (a version, a response, feedback, a post, a review, a
membership) renew it by signal (lessons.apps); writes by QuerySet.update() in lessons.writing call
`writing_changed()` themselves. The token is global, not per cohort: finding a changed row's
cohort would cost a query on every save.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "lessons:writing-version"


def writing_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def writing_changed(**_signal_kwargs):
    """Renew the token once the change is committed (and right away: a reader inside the same
    transaction must not see the old figures either)."""
    cache.set(VERSION_KEY, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, secrets.token_hex(8), None))


def _reading_key(membership_id):
    return f"lessons:reading-version:{membership_id}"


def member_version(membership_id):
    """The writing version and the member's reading version as one token, in one cache round trip."""
    keys = [VERSION_KEY, _reading_key(membership_id)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            version = secrets.token_hex(8)
            cache.add(key, version, None)
            found[key] = cache.get(key, version)
    return ":".join(found[key] for key in keys)


def reading_changed(membership_id):
    """Renew the member's reading version, now and once the change is committed."""
    key = _reading_key(membership_id)
    cache.set(key, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(key, secrets.token_hex(8), None))
