"""One email key (course/identity.py) for sign-in, lockout, reset limit and invitations: a
spelling that reaches an account is counted as that account; a look-alike that is another key
(the dotless ı) never reaches it, however loosely the database compares."""

import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cohorts import csv_import, invitations
from cohorts.models import Invitation, Membership
from course import ratelimit
from course.identity import clean_email, email_key
from course.models import User
from tests.factories import make_cohort

PASSWORD = "a-long-and-unusual-passphrase-42"
OFFICE = "203.0.113.7"
EMAIL = "miriam.kessler@acme.test"

# The same person: case, fullwidth letters, the Kelvin sign, the long s, ß for ss.
SAME = [
    pytest.param("MIRIAM.Kessler@ACME.test", id="upper-case"),
    pytest.param("\uff4d\uff49\uff52\uff49\uff41\uff4d.kessler@acme.test", id="fullwidth"),
    pytest.param("miriam.\u212aessler@acme.test", id="kelvin-sign"),
    pytest.param("miriam.ke\u017f\u017fler@acme.test", id="long-s"),
    pytest.param("miriam.ke\u00dfler@acme.test", id="sharp-s"),
]
# Another person: the dotless ı and the dotted capital İ are not i.
OTHER = [
    pytest.param("m\u0131riam.kessler@acme.test", id="dotless-i"),
    pytest.param("M\u0130RIAM.KESSLER@acme.test", id="dotted-capital-I"),
]


@pytest.fixture(autouse=True)
def database_matches_like_postgresql(db):
    """PostgreSQL's case-insensitive match (UPPER(a) = UPPER(b)) makes ı and ſ equal to i and s;
    SQLite's LIKE folds ASCII only. On SQLite, LIKE is made as loose as PostgreSQL's, so these
    tests show what production would do."""
    if connection.vendor != "sqlite":
        yield
        return

    def like(pattern, value, escape="\\"):
        if pattern is None or value is None:
            return None
        regex, chars = [], iter(pattern.upper())
        for char in chars:
            if char == escape:
                regex.append(re.escape(next(chars, "")))
            else:
                regex.append({"%": ".*", "_": "."}.get(char) or re.escape(char))
        return re.fullmatch("".join(regex), value.upper(), re.DOTALL) is not None

    connection.ensure_connection()
    connection.connection.create_function("like", 2, like)
    connection.connection.create_function("like", 3, like)
    yield
    connection.close()  # the next test gets SQLite's own LIKE again


@pytest.fixture
def miriam(db):
    return User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Miriam Kessler")


def sign_in(client, email, password, address=OFFICE):
    client.logout()
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return client.session.get(SESSION_KEY) is not None


# --- the key ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", SAME)
def test_case_width_and_compatibility_letters_give_the_same_key(spelling):
    assert email_key(spelling) == email_key(EMAIL)
    assert email_key(email_key(spelling)) == email_key(spelling)


@pytest.mark.parametrize("spelling", OTHER)
def test_dotless_and_dotted_i_give_another_key(spelling):
    assert email_key(spelling) != email_key(EMAIL)


def test_the_stored_form_keeps_sharp_s_but_drops_width_and_case():
    assert clean_email(" \uff21nna@ACME.test ") == "anna@acme.test"
    assert clean_email("Stra\u00dfe@acme.test") == "stra\u00dfe@acme.test"


# --- signing in and the lockout ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME + OTHER)
def test_no_spelling_signs_in_after_three_failures_of_another(client, miriam, spelling):
    for _ in range(3):
        sign_in(client, EMAIL, "wrong")

    response = sign_in(client, spelling, PASSWORD)

    assert not signed_in(client)
    assert response.status_code == (429 if email_key(spelling) == email_key(EMAIL) else 200)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME)
def test_failures_with_a_look_alike_spelling_lock_the_account_too(client, miriam, spelling):
    for _ in range(3):
        sign_in(client, spelling, "wrong")

    assert sign_in(client, EMAIL, PASSWORD).status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME)
def test_a_spelling_with_the_same_key_signs_in_to_the_account(client, miriam, spelling):
    assert sign_in(client, spelling, PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(miriam.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", OTHER)
def test_a_look_alike_with_another_key_never_signs_in_to_the_account(client, miriam, spelling):
    assert sign_in(client, spelling, PASSWORD).status_code == 200
    assert not signed_in(client)
    assert User.objects.get_by_email(spelling) is None


@pytest.mark.django_db
def test_a_second_account_for_the_same_key_is_refused(miriam):
    twin = User(email="miriam.ke\u017f\u017fler@acme.test", full_name="Twin")
    with pytest.raises(Exception, match="already exists"):
        twin.full_clean()


# --- password reset -------------------------------------------------------------------------------


def ask_for_reset(client, email, address=OFFICE):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME)
def test_the_reset_limit_counts_every_spelling_of_one_address(client, miriam, spelling, mailoutbox):
    limit = ratelimit.PASSWORD_RESET_PER_EMAIL.count
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(limit):
            assert ask_for_reset(client, EMAIL).status_code == 302
        response = ask_for_reset(client, spelling, address="198.51.100.20")

    assert response.status_code == 429
    assert len(mailoutbox) == limit


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", OTHER)
def test_a_reset_for_a_look_alike_sends_nothing_to_the_account(client, miriam, spelling, mailoutbox):
    assert ask_for_reset(client, spelling).status_code == 302
    assert mailoutbox == []


# --- invitations --------------------------------------------------------------------------------


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME)
def test_inviting_a_member_under_another_spelling_finds_the_member(cohort, miriam, spelling):
    Membership.objects.create(user=miriam, cohort=cohort)

    assert invitations.invite(cohort, email=spelling).status == "already_member"
    assert not Invitation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME)
def test_inviting_one_person_twice_under_two_spellings_refreshes_one_invitation(cohort, spelling):
    first = invitations.invite(cohort, email=EMAIL)
    second = invitations.invite(cohort, email=spelling)

    assert second.status == "refreshed"
    assert second.invitation.pk == first.invitation.pk
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SAME)
def test_an_invitation_under_another_spelling_asks_the_account_holder_to_sign_in(cohort, miriam, spelling):
    invitation = invitations.invite(cohort, email=spelling).invitation

    with pytest.raises(invitations.InvitationError, match="login_required"):
        invitations.accept(invitation.token, full_name="Someone", password=PASSWORD)
    assert invitations.accept(invitation.token, user=miriam).user == miriam
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", OTHER)
def test_an_invitation_for_a_look_alike_is_not_for_the_account(cohort, miriam, spelling):
    invitation = invitations.invite(cohort, email=spelling).invitation

    assert invitation.email != EMAIL
    with pytest.raises(invitations.InvitationError, match="wrong_account"):
        invitations.accept(invitation.token, user=miriam)


@pytest.mark.django_db
def test_the_csv_import_sees_spellings_of_one_person_as_one(cohort, miriam):
    Membership.objects.create(user=miriam, cohort=cohort)
    rows, problems = [], []
    seen = {}
    for line, spelling in enumerate(["miriam.ke\u017f\u017fler@acme.test", "ben@acme.test", "BEN@\uff41cme.test"], 2):
        row, reasons = csv_import.validate_row(line, {"email": spelling}, seen)
        (rows.append(row) if row else problems.append(reasons))

    assert [row.email for row in rows] == [EMAIL, "ben@acme.test"]
    assert len(problems) == 1 and "already on line 3" in str(problems[0][0])
    assert [row.note for row in csv_import.note_existing(cohort, rows)] == ["already_member", ""]
