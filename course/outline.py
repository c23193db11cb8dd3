"""The course outline (a course's live lessons, a page's parent, the default locale), kept in
each process between requests.

Every member page and every email asks for the course's lessons in order: the schedule, the lesson
page's navigation, "lesson 3 of 8". Loading all lesson pages with their bodies on every request
was the largest single cost of the lesson page and the member home (bench B3). The outline only
changes when an editor publishes, moves or deletes a page, so each process keeps what it loaded
under a version token stored in the database (`OutlineVersion`, one row). Such a change writes a
new token in the same transaction, so other processes reload exactly when the change commits, and
a rolled-back change leaves the old token (and the old outline) in force.

A request (or task) reads the token once: one small query instead of loading the pages. Saving a
draft (Wagtail's autosave included) or locking a page changes nothing a reader sees, so it keeps the
token. While this thread's own page change is not committed yet, nothing is kept: what it would
keep might never be committed, or be changed again later in the same transaction. Migrations
replace the token too; after a change made behind Django's back (SQL, `QuerySet.update()` on
pages) run `manage.py renew_outline`.

The objects handed out are shared by the requests of one process: read them, never change them.
They are not guarded against concurrent use by threads: production serves with gunicorn's sync
workers (one request per process at a time), and `runserver`'s threads are for development.
"""

import threading
import uuid

from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import connection, transaction

_lock = threading.Lock()
_local = threading.local()
_kept = {}  # (name, key) -> (version, value): one entry per name and key, so memory stays bounded


def begin(**kwargs):
    """A request or task starts: it reads the token once, on first use."""
    _local.scoped = True
    _local.version = None
    _local.uncommitted = False


def end(**kwargs):
    """Outside a request or task (a shell, a management command, a test calling code directly)
    the token is read on every use, so nothing there can see an outline older than the database."""
    _local.scoped = False
    _local.version = None
    _local.uncommitted = False


request_started.connect(begin, dispatch_uid="course.outline.begin")
request_finished.connect(end, dispatch_uid="course.outline.end")


def current_version():
    """The token; None when there is no token row (then nothing is kept)."""
    from .models import OutlineVersion

    scoped = getattr(_local, "scoped", False)
    if scoped and _local.version is not None:
        return _local.version or None
    version = OutlineVersion.objects.filter(pk=OutlineVersion.SINGLETON).values_list("token", flat=True).first()
    if scoped:
        _local.version = version or ""
    return version or None


# What saving a draft, autosave and locking write: nothing a reader of the live site sees.
BOOKKEEPING_FIELDS = frozenset(
    {
        "comment_notifications",
        "wagtail_admin_comments",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
    }
)


def pages_changed(update_fields=None, **kwargs):
    """Signal receiver: a page, locale or image was saved, deleted or moved."""
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    renew()


def renew(**kwargs):
    """A new token: every process reloads what it kept."""
    from .models import OutlineVersion

    token = uuid.uuid4().hex
    OutlineVersion.objects.update_or_create(pk=OutlineVersion.SINGLETON, defaults={"token": token})
    if getattr(_local, "scoped", False):
        _local.version = token
    with _lock:
        _kept.clear()
    if connection.in_atomic_block:
        _local.uncommitted = True
        transaction.on_commit(_committed)


def migrated(**kwargs):
    """post_migrate: a data migration's historical models send no signals. Skipped while the
    table does not exist (migrating backwards past it)."""
    from .models import OutlineVersion

    if OutlineVersion._meta.db_table in connection.introspection.table_names():
        renew()


def _committed():
    _local.uncommitted = False
    with _lock:
        _kept.clear()


def remembered(name, key, load):
    """`load()`, kept by this process until the next page change. Nothing is kept for an unsaved
    page (key None: a new page's preview)."""
    version = current_version()
    if version is None or key is None or getattr(_local, "uncommitted", False):
        return load()
    with _lock:
        entry = _kept.get((name, key))
    if entry is not None and entry[0] == version:
        return entry[1]
    value = load()
    with _lock:
        _kept[(name, key)] = (version, value)
    return value


def course_lessons(course):
    """The live lessons under `course`, in page-tree order (a tuple, shared: not to be changed)."""
    # By name, like a foreign key to another app: lessons sit above course.
    lesson_page = apps.get_model("lessons", "LessonPage")
    return remembered("lessons", course.pk, lambda: tuple(lesson_page.objects.child_of(course).live().order_by("path")))


def parent_page(page):
    """The page's parent, as its specific class (shared: not to be changed)."""
    return remembered("parent", page.pk, lambda: page.get_parent().specific)


def default_locale_id():
    """The id of the default language's Wagtail locale, or None."""
    from wagtail.models import Locale

    from .translations import default_language

    return remembered(
        "default-locale",
        "default",
        lambda: Locale.objects.filter(language_code=default_language()).values_list("pk", flat=True).first(),
    )


def live_child(page, slug):
    """The live child of `page` with this slug, as its specific class, or None (shared: callers
    that hand it to Wagtail's routing copy it first)."""
    children = remembered(
        "children", page.pk, lambda: {child.slug: child for child in page.get_children().live().specific()}
    )
    return children.get(slug)
