"""Playwright with Debian's Chromium, driven through the sync API against pytest-django's
live_server. Tests here are marked `browser` and skip with a reason when Chromium is missing."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last (after pytest-django's own ordering). They are transactional: the
    flush after each empties every table, including the page tree the migrations created, which
    transactional tests elsewhere still expect. The relative order of everything else stays."""
    here = Path(__file__).resolve().parent
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(here))


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still plain synchronous calls, so Django's async-safety check must not refuse them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def close_contexts(contexts, node):
    """Close the test's browser contexts; after a failure, first save each open page to
    test-artifacts/ as it was at that moment."""
    failed = getattr(node, "call_failed", False)
    for context in contexts:
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = "".join(c if c.isalnum() or c in "-_" else "-" for c in node.name)
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"failed-{name}-{number}.png"), full_page=True)
        context.close()


@pytest.fixture
def signed_in(browser, client, live_server, request):
    """A function that opens a fresh browser context signed in as `user`."""
    contexts = []

    def open_context(user):
        client.force_login(user)
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield open_context
    close_contexts(contexts, request.node)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def home_page(transactional_db):
    """The page tree the migrations create, rebuilt when an earlier transactional test flushed
    it (a flush empties every table; Playwright's sync API also runs the test in another
    context, so serialized_rollback cannot restore it)."""
    from wagtail.models import Locale, Page, Site

    from course.models import HomePage

    home = HomePage.objects.filter(depth=2).first()
    if home is not None:
        return home
    locale = Locale.objects.filter(language_code="en").first() or Locale.objects.create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = root.add_child(instance=HomePage(title="Klartext", slug="home", locale=locale, intro="<p>Klartext.</p>"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "Klartext"}
    )
    return home


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def open_context(browser, request):
    """A function that opens a fresh, signed-out browser context in a language ("en", "de") on a
    device ("phone": 390 px with touch, "desktop": 1280 px)."""
    from tests.browser.checks import BROWSER_LOCALES, DEVICES

    contexts = []

    def open_context(language="en", device="desktop"):
        # The locale sets Accept-Language, which is how a signed-out visitor's language is chosen.
        # Reduced motion switches Bootstrap's transitions off: styles are read as they settle.
        context = browser.new_context(locale=BROWSER_LOCALES[language], reduced_motion="reduce", **DEVICES[device])
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    close_contexts(contexts, request.node)
