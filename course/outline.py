"""The course outline (a course's live lessons, a page's parent, the default locale), kept in
each process between requests.

Every member page and every email asks for the course's lessons in order: the schedule, the lesson
page's navigation, "lesson 3 of 8". Loading all lesson pages with their bodies on every request
was the largest single cost of the lesson page and the member home (bench B3). The outline only
changes when an editor saves, publishes, moves or deletes a page, so each process keeps what it
loaded under a version token stored in the database (`OutlineVersion`, one row). Any page change
writes a new token in the same transaction, so other processes reload exactly when the change
commits, and a rolled-back change leaves the old token (and the old outline) in force.

A request (or task) reads the token once: one small query instead of loading the pages.

The objects handed out are shared by the requests of one process: read them, never change them.
"""

import threading
import uuid

from django.core.signals import request_finished, request_started

_lock = threading.Lock()
_local = threading.local()
_kept = {}  # (name, key) -> (version, value): one entry per name and key, so memory stays bounded


def begin(**kwargs):
    """A request or task starts: it reads the token once, on first use."""
    _local.scoped = True
    _local.version = None


def end(**kwargs):
    """Outside a request or task (a shell, a management command, a test calling code directly)
    the token is read on every use, so nothing there can see an outline older than the database."""
    _local.scoped = False
    _local.version = None


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


def pages_changed(**kwargs):
    """Signal receiver: a page, locale or image was saved, deleted or moved."""
    from .models import OutlineVersion

    token = uuid.uuid4().hex
    OutlineVersion.objects.update_or_create(pk=OutlineVersion.SINGLETON, defaults={"token": token})
    if getattr(_local, "scoped", False):
        _local.version = token
    with _lock:
        _kept.clear()


def remembered(name, key, load):
    """`load()`, kept by this process until the next page change."""
    version = current_version()
    if version is None:
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
    from lessons.models import LessonPage

    return remembered("lessons", course.pk, lambda: tuple(LessonPage.objects.child_of(course).live().order_by("path")))


def parent_page(page):
    """The page's parent, as its specific class (shared: not to be changed)."""
    return remembered("parent", page.pk, lambda: page.get_parent().specific)


def default_locale_id():
    """The id of the default language's Wagtail locale, or None."""
    from wagtail.models import Locale

    from .translations import default_language

    return remembered(
        "default-locale",
        None,
        lambda: Locale.objects.filter(language_code=default_language()).values_list("pk", flat=True).first(),
    )


def live_child(page, slug):
    """The live child of `page` with this slug, as its specific class, or None (shared: callers
    that hand it to Wagtail's routing copy it first)."""
    children = remembered(
        "children", page.pk, lambda: {child.slug: child for child in page.get_children().live().specific()}
    )
    return children.get(slug)
