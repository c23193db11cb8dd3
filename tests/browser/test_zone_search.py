"""The time-zone search narrows the grouped list as one types, on the member's preferences page
and in the admin's cohort form (no inline script: the admin's CSP stays strict)."""

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
