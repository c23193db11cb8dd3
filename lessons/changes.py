"""One version token for "what members wrote, answered or published has changed": pages that
summarise writing (the facilitator's dashboard) keep their figures in Django's cache under this
token, and any change makes them recompute.

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
