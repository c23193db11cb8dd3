"""The time-zone search narrows the grouped list as one types, on the member's preferences page
and in the admin's cohort form (no inline script: the admin's CSP stays strict)."""

import datetime

import pytest

from tests.factories import MembershipFactory, UserFactory, make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search(page, select_name, words):
    select = page.locator(f'select[name="{select_name}"]')
    box = page.locator(f'input[data-zone-search-for="{select.get_attribute("id")}"]')
    assert box.is_visible()
    box.fill(words)
    visible = select.evaluate("s => [...s.options].filter(o => !o.hidden).map(o => o.value)")
    return select.input_value(), visible


def test_typing_a_city_finds_its_zone_on_the_preferences_page(course_page, signed_in, live_server, artifacts):
    member = MembershipFactory(cohort=make_cohort(course_page), time_zone="Europe/Berlin")
    page = signed_in(member.user).new_page()
    page.goto(f"{live_server.url}/preferences/")
    value, visible = search(page, "preferences-time_zone", "kyiv")
    assert value == "Europe/Kyiv"
    assert set(visible) <= {"Europe/Kyiv", "Europe/Berlin"}  # the current choice stays
    page.screenshot(path=str(artifacts / "zone-search-preferences.png"))


@pytest.mark.parametrize(
    ("words", "zone"),
    [
        ("münchen", "Europe/Berlin"),
        ("Wien", "Europe/Vienna"),
        ("zurich", "Europe/Zurich"),
        ("edinburgh", "Europe/London"),
    ],
)
def test_a_city_without_its_own_zone_or_its_german_name_finds_the_zone(
    course_page, signed_in, live_server, words, zone
):
    member = MembershipFactory(cohort=make_cohort(course_page), time_zone="Asia/Tokyo")
    page = signed_in(member.user).new_page()
    page.goto(f"{live_server.url}/preferences/")
    value, visible = search(page, "preferences-time_zone", words)
    assert value == zone
    assert set(visible) <= {zone, "Asia/Tokyo"}


def test_typing_a_region_and_city_finds_the_zone_in_the_cohort_form(course_page, signed_in, live_server):
    consultant = UserFactory(superuser=True, full_name="Dr. Anna Berger")
    cohort = make_cohort(course_page)
    page = signed_in(consultant).new_page()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{live_server.url}/admin/cohorts/edit/{cohort.pk}/")
    value, visible = search(page, "time_zone", "americas new york")
    assert value == "America/New_York"
    assert "Asia/Tokyo" not in visible
    assert errors == []


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [("de", "01.12.2026", "2026-12-01"), ("en", "01/12/2026", "2026-12-01"), ("de", "2026-12-01", "2026-12-01")],
)
def test_a_date_typed_the_way_the_consultant_writes_it_is_kept_and_saved(
    course_page, signed_in, live_server, language, typed, expected
):
    """The date picker parses only its own ISO format: it used to replace a typed German or
    British date with today's date when the field lost focus, and the wrong start date was saved."""
    consultant = UserFactory(superuser=True, full_name="Dr. Anna Berger", language=language)
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2))
    page = signed_in(consultant).new_page()
    page.goto(f"{live_server.url}/admin/cohorts/edit/{cohort.pk}/")
    field = page.locator('input[name="start_date"]')
    field.fill(typed)
    page.locator('input[name="name"]').click()  # the date field loses focus
    page.keyboard.press("Escape")
    assert field.input_value() == typed
    with page.expect_navigation():
        page.locator("#w-editor-form button[type=submit]").first.click()
    cohort.refresh_from_db()
    assert cohort.start_date.isoformat() == expected


def test_a_date_the_form_cannot_read_is_refused_with_what_was_typed_kept(course_page, signed_in, live_server):
    consultant = UserFactory(superuser=True, full_name="Dr. Anna Berger", language="de")
    cohort = make_cohort(course_page, start_date=datetime.date(2026, 11, 2))
    page = signed_in(consultant).new_page()
    page.goto(f"{live_server.url}/admin/cohorts/edit/{cohort.pk}/")
    page.locator('input[name="start_date"]').fill("31.02.2027")
    page.locator('input[name="name"]').click()
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.locator("#w-editor-form button[type=submit]").first.click()
    assert page.locator('input[name="start_date"]').input_value() == "31.02.2027"
    assert "gültiges Datum" in page.content()
    cohort.refresh_from_db()
    assert cohort.start_date == datetime.date(2026, 11, 2)
