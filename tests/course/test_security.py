"""Security settings and headers: `check --deploy` is clean in production, every page carries a
strict Content-Security-Policy, and failed sign-ins lock one email on one address for a while."""

import base64
import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, authenticate
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from course import ratelimit
from course.models import User
from course.security import client_ip

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-and-unusual-passphrase-42"
OFFICE = "203.0.113.7"
HOME = "198.51.100.20"


def production_env(tmp_path, **changes):
    """What a production host sets; nothing from the test run (a subprocess has no pytest, so the
    settings see a real start-up)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        {
            "KLARTEXT_VAR_DIR": str(tmp_path),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # A Fernet key for the stored network tokens (publishing.E001 without it).
            "KLARTEXT_FIELD_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "klartext.example",
            "SITE_URL": "https://klartext.example",
            **changes,
        }
    )
    return env


def test_check_deploy_with_production_settings_reports_no_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# --- headers ----------------------------------------------------------------------------------


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
def test_member_pages_carry_a_strict_content_security_policy(client, home_page):
    response = client.get(reverse("login"))

    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_allows_inline_styles_and_same_origin_frames_but_no_inline_script(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))

    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_the_admin_preview_of_a_lesson_may_be_framed_by_the_admin(admin_client, lesson_page):
    response = admin_client.get(reverse("wagtailadmin_pages:view_draft", args=[lesson_page.pk]))

    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == ["'self'"]


# --- client address -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.2"),  # no proxy: a forged header is ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the address our proxy appended
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_the_client_address_trusts_only_our_own_proxies(settings, proxies, forwarded, expected):
    settings.KLARTEXT_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_production_ignores_x_forwarded_for_unless_told_how_many_proxies_append(tmp_path):
    """gunicorn may be reachable directly: a forged header must not pick the address by default."""
    show = ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.KLARTEXT_PROXY_COUNT)"]
    default = subprocess.run(
        [sys.executable, *show], cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    behind_nginx = subprocess.run(
        [sys.executable, *show],
        cwd=ROOT,
        env=production_env(tmp_path, KLARTEXT_PROXY_COUNT="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert default.stdout.split()[-1] == "0", default.stderr
    assert behind_nginx.stdout.split()[-1] == "1", behind_nginx.stderr


PROXY = "10.0.0.1"
INNER_PROXY = "10.0.0.9"


def forwarded_by(proxies, client, forged):
    """What reaches gunicorn: the client's forged header, then one address appended per proxy."""
    if proxies == 0:
        return {"REMOTE_ADDR": client, "HTTP_X_FORWARDED_FOR": forged}
    hops = [forged, client] + [INNER_PROXY] * (proxies - 1)
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ", ".join(hops)}


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_new_forged_address_for_every_guess_does_not_escape_the_lockout(client, colleagues, settings, proxies):
    settings.KLARTEXT_PROXY_COUNT = proxies

    def attempt(password, client_address, forged):
        client.logout()
        return client.post(
            reverse("login"),
            {"username": "anna@acme.test", "password": password},
            **forwarded_by(proxies, client_address, forged),
        )

    statuses = [attempt("wrong", OFFICE, f"6.6.6.{guess}").status_code for guess in range(12)]

    assert statuses[:2] == [200, 200] and set(statuses[2:]) == {429}
    assert attempt(PASSWORD, OFFICE, "6.6.6.99").status_code == 429
    # Anna from home, through the same proxies, is another address.
    assert attempt(PASSWORD, HOME, "6.6.6.1").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_forged_address_does_not_escape_the_reset_limit_per_address(client, settings, proxies, mailoutbox):
    settings.KLARTEXT_PROXY_COUNT = proxies
    limit = ratelimit.PASSWORD_RESET_PER_IP.count
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            client.post(
                reverse("password_reset"),
                {"email": f"nobody{guess}@acme.test"},
                **forwarded_by(proxies, OFFICE, f"6.6.6.{guess}"),
            ).status_code
            for guess in range(limit + 1)
        ]
        from_home = client.post(
            reverse("password_reset"), {"email": "nobody@acme.test"}, **forwarded_by(proxies, HOME, "6.6.6.1")
        )

    assert set(statuses[:limit]) == {302} and statuses[limit] == 429
    assert from_home.status_code == 302


# --- failed sign-ins ---------------------------------------------------------------------------


@pytest.fixture
def colleagues(db):
    return (
        User.objects.create_user(email="anna@acme.test", password=PASSWORD, full_name="Anna"),
        User.objects.create_user(email="ben@acme.test", password=PASSWORD, full_name="Ben"),
    )


def sign_in(client, email, password, address=OFFICE, path=None):
    client.logout()
    return client.post(path or reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return client.session.get(SESSION_KEY) is not None


@pytest.mark.django_db
def test_three_failures_lock_one_email_on_one_address_until_the_cool_off(client, colleagues, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first, second, third = (sign_in(client, "anna@acme.test", "wrong") for _ in range(3))
        assert [first.status_code, second.status_code] == [200, 200]  # the form with "do not match"
        assert third.status_code == 429

        # The 4th attempt is refused even with the right password ...
        fourth = sign_in(client, "anna@acme.test", PASSWORD)
        assert fourth.status_code == 429
        assert "Too many attempts" in fourth.content.decode()
        assert not signed_in(client)
        # ... also when the email is typed differently.
        assert sign_in(client, " Anna@ACME.test", PASSWORD).status_code == 429

        # A colleague behind the same office address still signs in; Anna from home too.
        assert sign_in(client, "ben@acme.test", PASSWORD).status_code == 302
        assert signed_in(client)
        assert sign_in(client, "anna@acme.test", PASSWORD, address=HOME).status_code == 302

        # After the cool-off (counted from the last refused attempt), both sign in from the office.
        clock.move_to(start + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
        assert sign_in(client, "anna@acme.test", PASSWORD).status_code == 302
        assert signed_in(client)
        assert sign_in(client, "ben@acme.test", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_one_address_guessing_across_many_accounts_is_paused_after_the_address_limit(client, colleagues):
    """Axes locks an (email, address) after three failures; one address trying two passwords on
    every account it can name is stopped by the address's own limit (course/ratelimit.py)."""
    limit = ratelimit.SIGN_IN_PER_IP.count
    statuses = [sign_in(client, f"person{n}@acme.test", "guess").status_code for n in range(limit)]
    assert set(statuses) == {200}  # each refused as a wrong password, none locked yet

    response = sign_in(client, "anna@acme.test", PASSWORD)  # even the right password, from here
    assert response.status_code == 429
    assert "very many sign-in attempts from this connection" in response.content.decode()
    assert not signed_in(client)
    # Another address is not affected, and neither is the admin's sign-in from it.
    assert sign_in(client, "anna@acme.test", PASSWORD, address=HOME).status_code == 302
    assert (
        sign_in(client, "ben@acme.test", PASSWORD, address=HOME, path=reverse("wagtailadmin_login")).status_code != 429
    )


@pytest.mark.django_db
def test_a_lockout_shows_how_long_it_lasts_and_offers_a_new_password(client, colleagues):
    for _ in range(3):
        response = sign_in(client, "anna@acme.test", "wrong")

    assert response.status_code == 429
    html = response.content.decode()
    assert "15 minutes" in html
    assert reverse("password_reset") in html


@pytest.mark.django_db
def test_the_wagtail_admin_sign_in_is_locked_the_same_way(client, consultant):
    path = reverse("wagtailadmin_login")
    for _ in range(3):
        sign_in(client, consultant.email, "wrong", path=path)

    response = sign_in(client, consultant.email, "pw-consultant", path=path)

    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_successful_sign_in_forgets_earlier_failures(client, colleagues):
    sign_in(client, "anna@acme.test", "wrong")
    sign_in(client, "anna@acme.test", "wrong")
    assert sign_in(client, "anna@acme.test", PASSWORD).status_code == 302

    sign_in(client, "anna@acme.test", "wrong")
    sign_in(client, "anna@acme.test", "wrong")
    assert sign_in(client, "anna@acme.test", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_new_password_from_the_reset_link_ends_the_lockout(client, colleagues, mailoutbox):
    for _ in range(3):
        sign_in(client, "anna@acme.test", "wrong")
    client.post(reverse("password_reset"), {"email": "anna@acme.test"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    form_url = client.get(link).url  # Django swaps the token for a session marker first

    new_password = "another-long-passphrase-7"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})

    assert response.status_code == 302
    assert sign_in(client, "anna@acme.test", new_password).status_code == 302


@pytest.mark.django_db
def test_a_password_checked_without_a_request_is_not_counted_and_still_checked(colleagues):
    """Management commands and tests call authenticate() without a request: no address to count."""
    assert authenticate(username="anna@acme.test", password=PASSWORD) is not None
    assert authenticate(username="anna@acme.test", password="wrong") is None


@pytest.mark.django_db
def test_wagtails_deliberate_error_page_is_not_there(admin_client):
    # /admin/failwhale/ raises on purpose (for checking error reports): anyone in the admin could
    # fill the error log and its emails with it.
    assert admin_client.get("/admin/failwhale/").status_code == 404
    assert admin_client.get(reverse("wagtailadmin_home")).status_code == 200


@pytest.mark.django_db
def test_an_htmx_request_after_the_session_ended_gets_401_and_where_to_sign_in(client):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/write/piece/5/?cohort=2"}
    response = client.post("/write/piece/5/save/", headers=headers)
    assert response.status_code == 401
    assert response["HX-Login"] == "/accounts/login/?next=/write/piece/5/%3Fcohort%3D2"
    assert response.content == b""

    # A page loaded in full still goes to the sign-in page, and only our own paths come back.
    assert client.post("/write/piece/5/save/").status_code == 302
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "https://evil.example//evil.example/"}
    assert client.post("/write/piece/5/save/", headers=elsewhere)["HX-Login"] == "/accounts/login/?next=/"
