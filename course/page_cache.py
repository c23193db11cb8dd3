"""A course's live lessons, kept in Django's cache between requests.

Every member page asks for them (the schedule, the lesson pager, routing a lesson's URL) and
loading them whole, bodies included, was the largest part of the member home. Each request
gets its own copies (the cache pickles), so nothing is shared between requests or threads.

What is kept is only good while no page changed. One version token for all pages is renewed:
- on every save and delete of a page model (publishing, unpublishing, copying, saving a draft),
  and on Wagtail's page_published, page_unpublished and post_page_move (a move rewrites the
  paths of a whole subtree without saving each page);
- after every `migrate` (a data migration changes pages without these signals).
The cache is shared by all processes (Redis, or files under var/ without REDIS_URL), so a change
made in the admin's process shows in the worker's next email. A change made behind Django's back
(raw SQL) shows once the kept copy expires, after KEEP_SECONDS.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "course:pages-version"
KEEP_SECONDS = 600


def pages_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def pages_changed(**_signal_kwargs):
    """Renew the token now (a reader in the same transaction must not get the old copy) and once
    the change commits (a request that read the uncommitted change may have kept it meanwhile)."""
    cache.set(VERSION_KEY, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, secrets.token_hex(8), None))


def kept_lessons(course, load):
    """`load()`'s list of lesson pages for `course`, from the cache while no page changed."""
    key = f"course:lessons:{course.pk}:{pages_version()}"
    lessons = cache.get(key)
    if lessons is None:
        lessons = load()
        cache.set(key, lessons, KEEP_SECONDS)
    return lessons
