"""Which language a person sees: the profile for a signed-in person, else the browser (or the
switcher's cookie); the switcher saves a signed-in person's choice; dates follow the language."""

import datetime
import re
import zoneinfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from course.models import User

pytestmark = pytest.mark.django_db


def html_lang(response):
    return re.search(r'<html[^>]*\blang="([a-z-]+)"', response.content.decode()).group(1)


@pytest.fixture
def member(db):
    return User.objects.create_user(email="jo@example.test", password="pw-jo-12345", full_name="Jo", language="de")


def test_an_anonymous_visitor_gets_the_browsers_language(client, home_page):
    german = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert html_lang(german) == "de" and "Anmelden" in german.content.decode()
    assert html_lang(english) == "en" and "Sign in" in english.content.decode()


def test_the_profile_language_wins_over_the_browser_for_a_signed_in_member(client, member, home_page):
    client.force_login(member)

    response = client.get("/accounts/password_change/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert html_lang(response) == "de"
    assert response["Content-Language"] == "de"


def test_the_switcher_saves_a_signed_in_members_choice_and_the_next_page_follows_it(client, member, home_page):
    client.force_login(member)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/preferences/"})

    assert response.status_code == 302 and response["Location"] == "/preferences/"
    member.refresh_from_db()
    assert member.language == "en"
    assert html_lang(client.get("/accounts/password_change/", HTTP_ACCEPT_LANGUAGE="de")) == "en"


def test_the_switcher_sets_the_cookie_for_an_anonymous_visitor(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/accounts/login/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")) == "de"


def test_the_switcher_ignores_a_language_we_do_not_offer(client, member, home_page):
    client.force_login(member)

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    member.refresh_from_db()
    assert member.language == "de"


def test_the_not_found_page_speaks_the_visitors_language(client, home_page):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    assert html_lang(response) == "de"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Monday, 1 March 2027, 09:05 · 1 March 2027 · 1 Mar"),
        ("de", "Montag, 1. März 2027, 09:05 · 1. März 2027 · 1. Mär"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(language, expected):
    template = Template(
        '{% load klartext_dates %}{{ when|when:"weekday" }} · '
        '{{ when|date:"DATE_FORMAT" }} · {{ when|date:"MONTH_DAY_FORMAT" }}'
    )
    moment = datetime.datetime(2027, 3, 1, 9, 5)

    with translation.override(language):
        assert template.render(Context({"when": moment})) == expected


def test_numbers_use_the_german_decimal_comma():
    from django.utils.formats import number_format

    with translation.override("de"):
        assert number_format(1234.5, decimal_pos=1, use_l10n=True, force_grouping=True) == "1.234,5"
    with translation.override("en"):
        assert number_format(1234.5, decimal_pos=1, use_l10n=True, force_grouping=True) == "1,234.5"


@pytest.mark.parametrize(
    ("language", "date_typed", "datetime_typed"),
    [
        ("de", "01.12.2026", "01.12.2026 18:30"),
        ("en", "01/12/2026", "01/12/2026 18:30"),
        ("en", "1 December 2026", "2026-12-01 18:30"),
        ("de", "2026-12-01", "2026-12-01 18:30"),
    ],
)
def test_dates_typed_the_way_people_write_them_in_germany_and_the_uk_mean_the_first_of_december(
    language, date_typed, datetime_typed
):
    from django import forms

    class When(forms.Form):
        day = forms.DateField()
        at = forms.DateTimeField()

    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        form = When({"day": date_typed, "at": datetime_typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 1)
    assert form.cleaned_data["at"].astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).replace(tzinfo=None) == (
        datetime.datetime(2026, 12, 1, 18, 30)
    )
