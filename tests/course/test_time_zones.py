"""Choosing a time zone: current IANA zones grouped by region with a search, wherever a zone is
chosen; a zone stored before stays as it is; names are shown as the person wrote them."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from course.timezones import AVAILABLE_ZONES, CURRENT_ZONES, TimeZoneField, time_zone_choices
from course.viewsets import AccountNameForm
from tests.factories import MembershipFactory, UserFactory, facilitators_group, make_cohort


def names(choices):
    return [name for _group, options in choices for name, _label in options]


def test_the_choice_groups_current_zones_by_region_without_deprecated_aliases():
    choices = time_zone_choices()
    groups = [str(group) for group, _options in choices]
    assert groups[:3] == ["Europe", "Americas", "Asia"]
    offered = names(choices)
    assert "Europe/Berlin" in offered and "America/New_York" in offered and "Europe/Kyiv" in offered
    for alias in ("US/Pacific", "Asia/Calcutta", "Europe/Kiev", "GB", "Etc/GMT+5", "America/Buenos_Aires"):
        assert alias in AVAILABLE_ZONES
        assert alias not in offered
    assert len(offered) < len(AVAILABLE_ZONES) * 3 // 4
    europe = dict(choices[0][1])
    assert europe["Europe/Berlin"] == "Berlin"


def test_a_zone_stored_before_is_kept_and_still_valid():
    assert names(time_zone_choices(current="US/Pacific"))[0] == "US/Pacific"
    assert TimeZoneField().clean("US/Pacific") == "US/Pacific"
    assert TimeZoneField().clean("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(Exception, match="valid choice"):
        TimeZoneField().clean("Mars/Olympus_Mons")
    assert "UTC" in names(time_zone_choices()) and "UTC" not in CURRENT_ZONES


def zone_select(html, name):
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


def assert_grouped_with_search(html, name):
    select = zone_select(html, name)
    assert "data-zone-search" in select
    assert '<optgroup label="Europe">' in select
    assert '<option value="US/Pacific"' not in select
    assert select.count("<option") < 450
    assert "data-zone-search-for" in html
    assert "js/zone_search.js" in html


@pytest.mark.django_db
def test_the_user_forms_offer_the_grouped_zones_with_a_search_and_the_full_name(admin_client):
    doctor = UserFactory(full_name="Dr. Anna Berger", time_zone="US/Pacific")
    add = admin_client.get(reverse("wagtailusers_users:add")).content.decode()
    edit = admin_client.get(reverse("wagtailusers_users:edit", args=[doctor.pk])).content.decode()
    assert_grouped_with_search(add, "time_zone")
    assert 'name="full_name"' in add
    assert 'value="Dr. Anna Berger"' in edit
    # A zone stored before the list was current is kept, selected.
    assert '<option value="US/Pacific" selected>' in zone_select(edit, "time_zone")


@pytest.mark.django_db
def test_the_cohort_and_invitation_forms_offer_the_grouped_zones_with_a_search(admin_client, course_page):
    cohort = make_cohort(course_page)
    assert_grouped_with_search(admin_client.get(reverse("cohort_admin:add")).content.decode(), "time_zone")
    assert_grouped_with_search(
        admin_client.get(reverse("cohort_admin:edit", args=[cohort.pk])).content.decode(), "time_zone"
    )
    assert_grouped_with_search(
        admin_client.get(reverse("cohort_admin:invite", args=[cohort.pk])).content.decode(), "time_zone"
    )


@pytest.mark.django_db
def test_the_preferences_offer_the_grouped_zones_with_a_search(client, course_page):
    member = MembershipFactory(cohort=make_cohort(course_page))
    client.force_login(member.user)
    assert_grouped_with_search(client.get(reverse("mail:preferences")).content.decode(), "preferences-time_zone")


@pytest.mark.django_db
def test_the_admin_shows_the_name_as_the_person_wrote_it_not_dr_as_a_first_name(client):
    doctor = UserFactory(full_name="Dr. Anna Berger", is_staff=True, is_superuser=True)
    client.force_login(doctor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert props
    sidebar = json.loads(props.group(1))
    assert "Dr. Anna Berger" in json.dumps(sidebar, ensure_ascii=False)
    assert doctor.first_name == "Dr. Anna Berger"
    assert doctor.get_short_name() == "Anna"  # greetings: the short name, never "Dr."


@pytest.mark.django_db
def test_the_admin_account_page_edits_the_full_name_not_an_empty_first_and_last_name(client):
    doctor = UserFactory(full_name="Dr. Anna Berger", is_staff=True, is_superuser=True)
    client.force_login(doctor)
    html = client.get(reverse("wagtailadmin_account")).content.decode()
    assert 'name="name_email-first_name"' not in html
    assert re.search(r'<input[^>]*name="name_email-full_name"[^>]*value="Dr. Anna Berger"', html)
    form = AccountNameForm({"full_name": "Anna Berger", "email": doctor.email}, instance=doctor)
    assert form.is_valid(), form.errors
    form.save()
    doctor.refresh_from_db()
    assert doctor.full_name == "Anna Berger"


def account_form(client, **changes):
    """The admin account page's form as the browser would post it, with `changes`."""
    page = BeautifulSoup(client.get(reverse("wagtailadmin_account")).content, "html.parser")
    data = {}
    for field in page.select("form input[name], form select[name]"):
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[field["name"]] = chosen["value"] if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[field["name"]] = field.get("value", "on")
        elif field.get("type") not in ("password", "file"):
            data[field["name"]] = field.get("value", "")
    return {**data, **changes}


@pytest.mark.django_db
def test_changing_the_sign_in_email_on_the_admin_account_page_needs_the_current_password(client):
    editor = UserFactory(email="fiona@example.com", full_name="Fiona Berger", password="the-right-one-42")
    editor.groups.add(facilitators_group())
    client.force_login(editor)
    form = account_form(client, **{"name_email-email": "attacker@example.net"})

    for password in ("", "a-wrong-guess-42"):
        response = client.post(reverse("wagtailadmin_account"), {**form, "name_email-current_password": password})
        assert response.status_code == 200
        assert "Enter your current password to change your email address." in response.content.decode()
        assert 'value="attacker@example.net"' in response.content.decode()  # what was typed stays
        editor.refresh_from_db()
        assert editor.email == "fiona@example.com"

    response = client.post(reverse("wagtailadmin_account"), {**form, "name_email-current_password": "the-right-one-42"})
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.email == "attacker@example.net"


@pytest.mark.django_db
def test_renaming_oneself_on_the_admin_account_page_needs_no_password(client):
    editor = UserFactory(email="fiona@example.com", full_name="Fiona Berger")
    editor.groups.add(facilitators_group())
    client.force_login(editor)
    response = client.post(
        reverse("wagtailadmin_account"), account_form(client, **{"name_email-full_name": "Fiona Berger-Lange"})
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.full_name == "Fiona Berger-Lange"
