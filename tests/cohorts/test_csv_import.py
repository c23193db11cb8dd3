"""Importing people from a CSV file: every row checked, nothing invited before the consultant
confirms, and a second import of the same file duplicates nothing."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts import csv_import
from cohorts.csv_import import CsvFileError, parse
from cohorts.invitations import invite
from cohorts.models import Cohort, Invitation, Membership, Role
from course.models import User

THREE_GOOD_TWO_BAD = (
    "name,email,language,time zone\n"
    "Ada Lovelace,ada@example.test,en,Europe/London\n"
    "Bea Busch,not-an-email,de,Europe/Berlin\n"
    "Carl Czerny,carl@example.test,Deutsch,Europe/Vienna\n"
    "Dora Duplicate,ADA@example.test,en,Europe/London\n"
    ",eve@example.test,English,\n"
)

GERMAN_EXCEL = (
    "\ufeffName;E-Mail;Sprache;Zeitzone\r\n"
    "Jürgen Müller;juergen@example.test;Deutsch;Europe/Berlin\r\n"
    "Özlem Şahin;oezlem@example.test;German;europe/istanbul\r\n"
    '"Smith; John";john@example.test;English;America/New York\r\n'
).encode()


# --- the rules --------------------------------------------------------------------------------


def test_it_reports_each_bad_row_by_line_number_and_reason():
    preview = parse(THREE_GOOD_TWO_BAD)

    assert [row.email for row in preview.rows] == [
        "ada@example.test",
        "carl@example.test",
        "eve@example.test",
    ]
    assert [row.line for row in preview.rows] == [2, 4, 6]
    assert [(error.line, [str(r) for r in error.reasons]) for error in preview.errors] == [
        (3, ["“not-an-email” is not a valid email address."]),
        (5, ["ada@example.test is already on line 2."]),
    ]


def test_a_missing_name_language_or_time_zone_is_fine():
    preview = parse("email\nsomeone@example.test\n")

    [row] = preview.rows
    assert (row.full_name, row.language, row.time_zone) == ("", "", "")
    assert preview.errors == []


def test_languages_are_read_as_codes_or_words_in_english_and_german():
    text = "email,language\n" + "".join(
        f"p{i}@example.test,{value}\n"
        for i, value in enumerate(["de", "EN", "Deutsch", "German", "English", "Englisch", "de-AT", "en_GB"])
    )
    assert [row.language for row in parse(text).rows] == ["de", "en", "de", "de", "en", "en", "de", "en"]


def test_an_unknown_language_or_time_zone_is_a_row_error():
    preview = parse("email,language,time zone\na@example.test,fr,Europe/Berlin\nb@example.test,de,Mars/Olympus\n")

    assert preview.rows == []
    assert [(e.line, [str(r) for r in e.reasons]) for e in preview.errors] == [
        (2, ["Unknown language “fr”: use de or en (Deutsch, English)."]),
        (3, ["Unknown time zone “Mars/Olympus”: use a name such as Europe/Berlin."]),
    ]


def test_a_row_with_several_problems_lists_them_all():
    [error] = parse("email,language,time zone\nnope,xx,Nowhere\n").errors

    assert len(error.reasons) == 3


def test_a_german_excel_file_with_semicolons_and_a_bom_is_read():
    text, encoding = csv_import.decode(GERMAN_EXCEL)
    preview = parse(text, encoding=encoding)

    assert preview.delimiter == ";"
    assert preview.errors == []
    assert [(r.full_name, r.email, r.language, r.time_zone) for r in preview.rows] == [
        ("Jürgen Müller", "juergen@example.test", "de", "Europe/Berlin"),
        ("Özlem Şahin", "oezlem@example.test", "de", "Europe/Istanbul"),
        ("Smith; John", "john@example.test", "en", "America/New_York"),
    ]


def test_a_file_without_a_header_is_read_as_name_email_language_time_zone():
    preview = parse("Ada,ada@example.test,en,Europe/London\nBea,bea@example.test,,\n")

    assert not preview.has_header
    assert [(r.line, r.full_name, r.email) for r in preview.rows] == [
        (1, "Ada", "ada@example.test"),
        (2, "Bea", "bea@example.test"),
    ]


def test_header_columns_may_come_in_any_order_and_unknown_ones_are_ignored():
    preview = parse("E-Mail,Department,Time_Zone,Name\nada@example.test,Board,Asia/Tokyo,Ada\n")

    [row] = preview.rows
    assert (row.full_name, row.email, row.time_zone) == ("Ada", "ada@example.test", "Asia/Tokyo")


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_file():
    preview = parse("email\n\nada@example.test\n\n\nbroken\n")

    assert [r.line for r in preview.rows] == [3]
    assert [e.line for e in preview.errors] == [6]


def test_a_windows_1252_file_from_older_excel_is_read():
    text, encoding = csv_import.decode("Name;E-Mail\nJürgen;j@example.test\n".encode("cp1252"))

    assert encoding == "cp1252"
    assert parse(text).rows[0].full_name == "Jürgen"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    ],
)
def test_binary_files_are_refused_with_a_message(data, message):
    with pytest.raises(CsvFileError, match=message):
        csv_import.decode(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("\n \n", "empty"),
        ("name,language\nAda,en\n", "no email column"),
        ("email\n", "nobody in it"),
    ],
)
def test_unusable_files_are_refused_with_a_message(text, message):
    with pytest.raises(CsvFileError, match=message):
        parse(text)


def test_more_than_two_thousand_people_are_refused():
    text = "email\n" + "".join(f"p{i}@example.test\n" for i in range(csv_import.MAX_ROWS + 1))

    with pytest.raises(CsvFileError, match="at most 2,000"):
        parse(text)


def test_exactly_two_thousand_people_are_fine():
    text = "email\n" + "".join(f"p{i}@example.test\n" for i in range(csv_import.MAX_ROWS))

    assert len(parse(text).rows) == csv_import.MAX_ROWS


# --- the upload, preview and confirmation in the admin ---------------------------------------------


@pytest.fixture
def cohort(course_page):
    return Cohort.objects.create(
        course=course_page,
        name="Leadership",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 3, 1),
    )


def upload(client, cohort, content, name="people.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        reverse("cohort_admin:import", args=[cohort.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def confirm(client, cohort, response):
    token = response.context["confirm_form"].initial["token"]
    return client.post(reverse("cohort_admin:confirm_import", args=[cohort.pk]), {"token": token})


def message_texts(response):
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


def test_the_upload_page_explains_the_format(admin_client, cohort):
    response = admin_client.get(reverse("cohort_admin:import", args=[cohort.pk]))

    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content


def test_the_preview_lists_the_bad_rows_and_invites_nobody_yet(admin_client, cohort):
    response = upload(admin_client, cohort, THREE_GOOD_TWO_BAD)

    assert response.status_code == 200
    html = response.content.decode()
    assert "not-an-email" in html
    assert "“not-an-email” is not a valid email address." in html
    assert "ada@example.test is already on line 2." in html
    assert [(e.line) for e in response.context["preview"].errors] == [3, 5]
    assert "Import the 3 valid rows" in html
    assert Invitation.objects.count() == 0


def test_confirming_invites_the_valid_rows(admin_client, cohort, django_capture_on_commit_callbacks):
    preview = upload(admin_client, cohort, THREE_GOOD_TWO_BAD)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = confirm(admin_client, cohort, preview)

    assert response.status_code == 302
    assert response.url == reverse("cohort_admin:overview", args=[cohort.pk]) + "#invitations-section"
    assert sorted(Invitation.objects.filter(cohort=cohort).values_list("email", flat=True)) == [
        "ada@example.test",
        "carl@example.test",
        "eve@example.test",
    ]
    carl = Invitation.objects.get(email="carl@example.test")
    assert (carl.full_name, carl.language, carl.time_zone, carl.role) == (
        "Carl Czerny",
        "de",
        "Europe/Vienna",
        Role.MEMBER,
    )
    # The missing time zone falls back to the cohort's.
    assert Invitation.objects.get(email="eve@example.test").time_zone == cohort.time_zone
    # One email each, queued for after the commit.
    assert len(callbacks) == 3
    assert "3 people invited." in message_texts(response)


def test_importing_the_same_file_again_duplicates_nothing(admin_client, cohort):
    confirm(admin_client, cohort, upload(admin_client, cohort, THREE_GOOD_TWO_BAD))
    nonces = dict(Invitation.objects.values_list("email", "nonce"))

    second = upload(admin_client, cohort, THREE_GOOD_TWO_BAD)
    assert "Already invited: gets a fresh link" in second.content.decode()
    response = confirm(admin_client, cohort, second)

    assert Invitation.objects.filter(cohort=cohort).count() == 3
    assert Membership.objects.filter(cohort=cohort).count() == 0
    # Re-inviting refreshed the pending invitations: new links.
    assert all(nonce != nonces[email] for email, nonce in Invitation.objects.values_list("email", "nonce"))
    assert any("3 invitations were already pending" in text for text in message_texts(response))


def test_the_preview_says_what_a_second_file_changes_in_a_pending_invitation(admin_client, cohort):
    confirm(admin_client, cohort, upload(admin_client, cohort, THREE_GOOD_TWO_BAD))
    changed = "name,email,language,time zone\nCarl Cerny,carl@example.test,en,Europe/Vienna\n"

    html = upload(admin_client, cohort, changed).content.decode()

    assert "Already invited: gets a fresh link" in html
    assert "name: Carl Czerny → Carl Cerny" in html
    assert "language: German → English" in html
    assert "time zone:" not in html  # unchanged


def test_a_member_list_never_demotes_a_pending_facilitator_invitation(client, cohort, consultant):
    invite(cohort, email="fay@example.test", full_name="Fay", role=Role.FACILITATOR, invited_by=consultant)
    facilitator = User.objects.create_user(email="fritz@klartext.test", password="pw", full_name="Fritz Lang")
    facilitator.groups.add(Group.objects.get(name="Facilitators"))
    Membership.objects.create(user=facilitator, cohort=cohort, role=Role.FACILITATOR)
    nonce = Invitation.objects.get(email="fay@example.test").nonce
    file = "name,email\nFay Fischer,fay@example.test\nNew Person,new@example.test\n"

    client.force_login(facilitator)
    preview = upload(client, cohort, file)
    assert "Invited as a facilitator: keeps that role" in preview.content.decode()
    response = confirm(client, cohort, preview)
    fay = Invitation.objects.get(email="fay@example.test")
    assert (fay.role, fay.nonce, fay.full_name) == (Role.FACILITATOR, nonce, "Fay")  # untouched
    assert any("left as it is" in text for text in message_texts(response))
    assert Invitation.objects.get(email="new@example.test").role == Role.MEMBER

    client.force_login(consultant)  # staff: a fresh link, the same role
    confirm(client, cohort, upload(client, cohort, file))
    fay.refresh_from_db()
    assert fay.role == Role.FACILITATOR and fay.nonce != nonce and fay.full_name == "Fay Fischer"


def test_people_already_in_the_cohort_are_counted_not_invited(admin_client, cohort):
    ada = User.objects.create_user(email="ada@example.test", password="pw", full_name="Ada")
    Membership.objects.create(user=ada, cohort=cohort)

    preview = upload(admin_client, cohort, THREE_GOOD_TWO_BAD)
    assert "Already in the cohort" in preview.content.decode()
    response = confirm(admin_client, cohort, preview)

    assert not Invitation.objects.filter(email="ada@example.test").exists()
    assert Invitation.objects.filter(cohort=cohort).count() == 2
    assert Membership.objects.filter(cohort=cohort).count() == 1
    assert any("1 person is already in the cohort" in text for text in message_texts(response))


def test_a_german_excel_upload_with_bom_and_semicolons_works(admin_client, cohort):
    preview = upload(admin_client, cohort, GERMAN_EXCEL, name="Teilnehmer.CSV")

    assert preview.status_code == 200
    assert preview.context["preview"].errors == []
    confirm(admin_client, cohort, preview)

    assert Invitation.objects.get(email="juergen@example.test").full_name == "Jürgen Müller"
    assert Invitation.objects.filter(cohort=cohort).count() == 3


def test_a_confirmation_works_once(admin_client, cohort):
    preview = upload(admin_client, cohort, THREE_GOOD_TWO_BAD)
    confirm(admin_client, cohort, preview)
    Invitation.objects.all().delete()

    response = confirm(admin_client, cohort, preview)

    assert response.status_code == 302
    assert Invitation.objects.count() == 0
    assert any("already done or has expired" in text for text in message_texts(response))


def test_a_made_up_or_other_cohorts_token_imports_nothing(admin_client, cohort, course_page):
    other = Cohort.objects.create(
        course=course_page,
        name="Other",
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 3, 1),
    )
    preview = upload(admin_client, other, THREE_GOOD_TWO_BAD)

    confirm(admin_client, cohort, preview)
    admin_client.post(reverse("cohort_admin:confirm_import", args=[cohort.pk]), {"token": "made-up"})
    admin_client.post(reverse("cohort_admin:confirm_import", args=[cohort.pk]), {})

    assert Invitation.objects.count() == 0


def test_an_expired_preview_imports_nothing(admin_client, cohort, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC), tick=False)
    preview = upload(admin_client, cohort, THREE_GOOD_TWO_BAD)
    time_machine.move_to(datetime.datetime(2026, 1, 10, 10, 1, tzinfo=datetime.UTC), tick=False)

    confirm(admin_client, cohort, preview)

    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.xlsx", b"PK\x03\x04...", "This is not a CSV file."),
        ("people.csv", b"PK\x03\x04...", "This is an Excel workbook"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        ("people.csv", b"", "The submitted file is empty."),
        ("people.csv", b"name;language\nAda;en\n", "no email column"),
        ("people.csv", b"email\n" + b"x" * (csv_import.MAX_BYTES + 1), "larger than 1 MB"),
    ],
)
def test_an_unusable_upload_shows_a_message_not_an_error_page(admin_client, cohort, name, content, message):
    response = upload(admin_client, cohort, content, name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "preview" not in response.context
    assert Invitation.objects.count() == 0


def test_an_upload_without_a_file_shows_the_form_again(admin_client, cohort):
    response = admin_client.post(reverse("cohort_admin:import", args=[cohort.pk]), {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


# --- hardening -----------------------------------------------------------------------------------


def long_email(length):
    domain = "@example.test"
    return "a" * (length - len(domain)) + domain


@pytest.mark.parametrize("length, ok", [(254, True), (255, False), (256, False), (320, False), (321, False)])
def test_an_email_longer_than_the_column_is_a_row_error(length, ok):
    preview = parse(f"email\n{long_email(length)}\nnext@example.test\n")

    assert [row.email for row in preview.rows] == ([long_email(length)] if ok else []) + ["next@example.test"]
    if not ok:
        [error] = preview.errors
        assert error.line == 2
        assert "at most 254 characters" in str(error.reasons[0])


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u0301", "Ada\u2028Lovelace", "Ada\x07"])
def test_an_invisible_or_multi_line_name_is_a_row_error(name):
    preview = parse(f'name,email\n"{name}",ada@example.test\n')

    assert preview.rows == []
    assert [error.line for error in preview.errors] == [2]


def test_a_confirm_that_fails_invites_nobody_and_can_be_retried(admin_client, cohort, monkeypatch):
    from django.db import DataError

    from cohorts import invitations

    real_invite = invitations.invite
    calls = []

    def invite_failing_on_the_second_row(cohort, **fields):
        calls.append(fields["email"])
        if len(calls) == 2:
            raise DataError("value too long for type character varying(254)")
        return real_invite(cohort, **fields)

    monkeypatch.setattr(csv_import, "invite", invite_failing_on_the_second_row)
    preview = upload(admin_client, cohort, "email\na@example.test\nb@example.test\nc@example.test\n")
    response = confirm(admin_client, cohort, preview)

    assert response.status_code == 302
    assert not Invitation.objects.filter(cohort=cohort).exists()
    assert any(text.startswith("Nobody was invited") for text in message_texts(response))

    monkeypatch.setattr(csv_import, "invite", real_invite)
    retried = confirm(admin_client, cohort, preview)

    assert retried.status_code == 302
    assert sorted(Invitation.objects.filter(cohort=cohort).values_list("email", flat=True)) == [
        "a@example.test",
        "b@example.test",
        "c@example.test",
    ]


def test_stashed_rows_are_validated_again_before_anyone_is_invited(cohort):
    rows = csv_import.rows_from_dicts([{"line": 2, "email": "a@example.test"}, {"line": 3, "email": long_email(300)}])

    with pytest.raises(csv_import.ValidationError):
        csv_import.invite_rows(cohort, rows)
    assert not Invitation.objects.filter(cohort=cohort).exists()


UNICODE_TEXT = "Name\tE-Mail\tSprache\tZeitzone\r\nJürgen Müller\tjuergen@example.test\tde\tEurope/Berlin\r\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (UNICODE_TEXT.encode("utf-16"), "utf-16"),  # Excel's "Unicode Text": BOM, little-endian
        (b"\xfe\xff" + UNICODE_TEXT.encode("utf-16-be"), "utf-16"),
        (UNICODE_TEXT.encode("utf-8-sig"), "utf-8"),
        (UNICODE_TEXT.encode("utf-8"), "utf-8"),
        (UNICODE_TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_utf16_utf8_and_windows_1252_tab_separated_files_are_read(data, encoding):
    text, found = csv_import.decode(data)
    preview = parse(text, encoding=found)

    assert found == encoding
    assert preview.delimiter == "\t"
    assert [(row.full_name, row.email, row.language) for row in preview.rows] == [
        ("Jürgen Müller", "juergen@example.test", "de")
    ]


def test_utf16_without_a_byte_order_mark_is_named_as_the_problem():
    with pytest.raises(CsvFileError) as error:
        csv_import.decode(UNICODE_TEXT.encode("utf-16-le"))
    assert "UTF-16" in str(error.value.message)


def test_a_unicode_text_upload_from_excel_works(admin_client, cohort):
    response = upload(admin_client, cohort, UNICODE_TEXT.encode("utf-16"), name="people.txt")

    assert response.status_code == 200
    assert [row.email for row in response.context["preview"].rows] == ["juergen@example.test"]
