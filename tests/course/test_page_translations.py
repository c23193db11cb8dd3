"""Course pages in German and English at the same URLs; everything keyed stays on the source page."""

import copy
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from wagtail.models import Locale

from cohorts.models import LessonDate, Membership
from course.models import CoursePage, HomePage, User
from demo import demo_content
from lessons import writing
from lessons.models import LessonPage, Submission
from mail import dispatch, sending
from mail.models import Delivery, Kind
from tests.factories import edit_form_with_order, lesson_words, make_cohort, make_lesson

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# The cohort starts on Monday 2 November 2026; lesson 1 opens at 08:00 Berlin time, lesson 2 a week later.
LESSON_ONE_OPEN = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=BERLIN)
BEFORE_THE_START = datetime.datetime(2026, 10, 26, 10, 0, tzinfo=BERLIN)
GERMAN_TEXT = "Sichtbarkeit nützt nur, wenn es etwas zu sehen gibt."
ENGLISH_TEXT = "Lesson text."


@pytest.fixture
def german(db):
    return Locale.objects.get_or_create(language_code="de")[0]


def translate(page, locale, **fields):
    """A published translation of `page` (its parent translated already) with `fields` changed."""
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


def german_body(lesson):
    """The lesson's blocks, same ids, with German words."""
    blocks = copy.deepcopy(list(lesson.body.raw_data))
    for block in blocks:
        if block["type"] == "text":
            block["value"] = f"<p>{GERMAN_TEXT}</p>"
        elif block["type"] == "writing_assignment":
            block["value"].update(title="Schreiben Sie über sich", prompt="Schreiben Sie es auf.")
    return blocks


@pytest.fixture
def german_tree(home_page, course_page, german):
    german_home = translate(home_page, german, title="Klartext", intro="<p>Ehrlich präsent, Beitrag für Beitrag.</p>")
    german_course = translate(course_page, german, title="Digitale Präsenz für Führungskräfte")
    return german_home, german_course


@pytest.fixture
def lesson_page(course_page):
    return make_lesson(course_page, "Who am I")


@pytest.fixture
def german_lesson(german_tree, lesson_page, german):
    return translate(
        lesson_page, german, title="Wer bin ich?", summary="Über sich selbst.", body=german_body(lesson_page)
    )


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page)


def member(cohort, email, language):
    user = User.objects.create_user(
        email=email, password="pw-long-enough-42", full_name=email.split("@")[0].title(), language=language
    )
    Membership.objects.create(user=user, cohort=cohort, language=language, time_zone="Europe/Berlin")
    return user


@pytest.fixture
def greta(cohort):
    return member(cohort, "greta@example.com", "de")


@pytest.fixture
def emma(cohort):
    return member(cohort, "emma@example.com", "en")


def block_id(lesson):
    return lesson.writing_assignments[0][0]


# --- reading -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_german_member_reads_the_german_lesson_at_the_english_url(client, greta, lesson_page, german_lesson):
    assert german_lesson.url == lesson_page.url
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        html = client.get(lesson_page.url).content.decode()
    assert GERMAN_TEXT in html and "Wer bin ich?" in html
    assert ENGLISH_TEXT not in html


@pytest.mark.django_db
def test_an_english_member_reads_the_english_lesson_at_the_same_url(client, emma, lesson_page, german_lesson):
    client.force_login(emma)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        html = client.get(lesson_page.url).content.decode()
    assert ENGLISH_TEXT in html
    assert GERMAN_TEXT not in html


@pytest.mark.django_db
def test_a_browser_asking_for_german_gets_the_german_landing_page(client, german_tree):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ehrlich präsent, Beitrag für Beitrag." in html
    assert "Digitale Präsenz für Führungskräfte" in html


@pytest.mark.django_db
def test_a_lesson_not_translated_yet_is_there_in_english_for_a_german_member(client, greta, course_page, german_tree):
    english_only = make_lesson(course_page, "Finding your voice")
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        response = client.get(english_only.url)
    assert response.status_code == 200
    assert ENGLISH_TEXT in response.content.decode()


@pytest.mark.django_db
def test_a_translation_still_in_draft_is_not_shown(client, greta, lesson_page, german_tree, german):
    draft = lesson_page.copy_for_translation(german)
    assert not draft.live
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        html = client.get(lesson_page.url).content.decode()
    assert ENGLISH_TEXT in html


@pytest.mark.django_db
def test_the_german_lesson_stays_locked_until_it_opens_for_the_cohort(client, greta, lesson_page, german_lesson):
    client.force_login(greta)
    with time_machine.travel(BEFORE_THE_START, tick=False):
        response = client.get(german_lesson.url)
        write = client.get(reverse("lessons:write", args=[german_lesson.pk, block_id(german_lesson)]), follow=True)
    assert response.templates[0].name == "lessons/lesson_not_open.html"
    assert GERMAN_TEXT not in response.content.decode()
    assert write.status_code == 403
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_lesson_date_moved_for_the_cohort_moves_the_german_lesson_too(
    client, greta, cohort, lesson_page, german_lesson
):
    LessonDate.objects.create(cohort=cohort, lesson=lesson_page, opens_on=datetime.date(2026, 11, 16))
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        response = client.get(lesson_page.url)
    assert response.templates[0].name == "lessons/lesson_not_open.html"


@pytest.mark.django_db
def test_a_lesson_date_chosen_on_the_german_page_is_kept_for_the_source_lesson(cohort, lesson_page, german_lesson):
    moved = LessonDate(cohort=cohort, lesson=german_lesson, opens_on=datetime.date(2026, 11, 16))
    moved.full_clean()
    assert moved.lesson == lesson_page


# --- writing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_started_on_the_german_page_is_the_piece_the_english_page_leads_to(
    client, greta, lesson_page, german_lesson
):
    assert block_id(german_lesson) == block_id(lesson_page)  # copying for translation keeps block ids
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=True):
        german_page = client.get(german_lesson.url).content.decode()
        write_url = reverse("lessons:write", args=[german_lesson.pk, block_id(german_lesson)])
        assert write_url in german_page
        editor = client.get(write_url, follow=True)
        piece = editor.context["piece"]
        writing.save_draft(piece.pk, title="", body="Mein Entwurf.", base_version=piece.version)

        greta.language = "en"
        greta.save()
        from_english = client.get(reverse("lessons:write", args=[lesson_page.pk, block_id(lesson_page)]), follow=True)

    assert "Schreiben Sie es auf." in editor.content.decode()  # the German prompt in the editor
    assert Submission.objects.get() == piece
    assert (piece.lesson, piece.assignment_id) == (lesson_page, block_id(lesson_page))
    assert from_english.context["piece"] == piece
    assert from_english.context["piece"].body == "Mein Entwurf."
    assert "Write it." in from_english.content.decode()


# --- lists, emails and the calendar ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_member_home_names_this_weeks_lesson_in_the_members_language(
    client, greta, emma, lesson_page, german_lesson
):
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        client.force_login(greta)
        german_home = client.get("/")
        client.force_login(emma)
        english_home = client.get("/")
    assert german_home.context["current"].lesson == german_lesson
    assert german_home.context["due_soon"][0].title == "Schreiben Sie über sich"
    assert german_home.context["course"].title == "Digitale Präsenz für Führungskräfte"
    assert "Wer bin ich?" in german_home.content.decode()
    assert english_home.context["current"].lesson == lesson_page
    assert "Who am I" in english_home.content.decode()


@pytest.mark.django_db
def test_the_member_home_costs_the_same_queries_however_many_lessons_are_translated(
    client, greta, course_page, lesson_page, german_lesson, german, django_assert_num_queries
):
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        client.get("/")  # warm-up: site root paths
        with CaptureQueriesContext(connection) as one:
            client.get("/")
        queries = len(one)  # now: later requests clear the log
        for offset in range(1, 6):
            lesson = make_lesson(course_page, f"Lesson {offset}", offset=0)
            translate(lesson, german, title=f"Lektion {offset}", body=german_body(lesson))
        client.get("/")
        with django_assert_num_queries(queries):
            response = client.get("/")
    assert len(response.context["due_soon"]) == 6


@pytest.mark.django_db
def test_lesson_emails_name_the_lesson_in_the_recipients_language(greta, emma, lesson_page, german_lesson, mailoutbox):
    opened = datetime.datetime(2026, 11, 2, 9, 2, tzinfo=BERLIN)
    with time_machine.travel(opened, tick=False):
        dispatch.tick()
        released = Delivery.objects.filter(kind=Kind.LESSON_RELEASED)
        assert released.count() == 2 and set(released.values_list("subject_id", flat=True)) == {lesson_page.pk}
        sending.send_batch(list(released.values_list("pk", flat=True)))
    by_recipient = {message.to[0]: message for message in mailoutbox}
    german_mail = by_recipient["greta@example.com"]
    english_mail = by_recipient["emma@example.com"]
    assert "Wer bin ich?" in german_mail.subject
    assert "Über sich selbst." in german_mail.body
    assert f"http://localhost:8000{lesson_page.url}" in german_mail.body  # the same URL
    assert "Who am I" in english_mail.subject
    assert "Wer bin ich?" not in english_mail.body


@pytest.mark.django_db
def test_the_calendar_names_lessons_in_the_members_language_with_the_same_uids(
    client, greta, emma, lesson_page, german_lesson
):
    def events(user):
        membership = Membership.objects.get(user=user)
        feed = Calendar.from_ical(client.get(reverse("cohorts:calendar", args=[membership.calendar_token])).content)
        return {str(event["uid"]): str(event["summary"]) for event in feed.walk("VEVENT")}

    german_events, english_events = events(greta), events(emma)
    assert german_events.keys() == english_events.keys()
    assert any("Wer bin ich?" in summary for summary in german_events.values())
    assert any("Schreiben Sie über sich" in summary for summary in german_events.values())
    assert any("Who am I" in summary for summary in english_events.values())


@pytest.mark.django_db
def test_the_circle_feed_names_the_lesson_in_the_readers_language(
    client, greta, emma, cohort, lesson_page, german_lesson
):
    emma_membership = Membership.objects.get(user=emma)
    with time_machine.travel(LESSON_ONE_OPEN, tick=True):
        piece = writing.get_or_start(emma_membership, lesson_page, block_id(lesson_page))
        piece = writing.save_draft(piece.pk, title="My week", body="Text.", base_version=0).submission
        writing.share(piece, visibility="cohort")
        client.force_login(greta)
        german_feed = client.get(reverse("circle:feed", args=[cohort.pk]))
        german_piece = client.get(reverse("circle:piece", args=[piece.pk]))
        client.force_login(emma)
        english_feed = client.get(reverse("circle:feed", args=[cohort.pk]))
    assert german_feed.context["pieces"][0].lesson_title == "Wer bin ich?"
    assert "Wer bin ich?" in german_piece.content.decode()
    assert english_feed.context["pieces"][0].lesson_title == "Who am I"


@pytest.mark.django_db
def test_a_cohort_given_the_german_course_takes_the_source_course(course_page, german_tree):
    _german_home, german_course = german_tree
    cohort = make_cohort(german_course)
    cohort.full_clean()
    assert cohort.course == course_page


# --- the consultant translates in the admin ---------------------------------------------------------


@pytest.mark.django_db
def test_the_consultant_translates_a_lesson_in_the_admin_and_publishes_it(
    admin_client, client, greta, home_page, course_page, lesson_page, german
):
    submit = "simple_translation:submit_page_translation"
    # The home page with its subtree: German drafts of the home page, the course and the lesson.
    response = admin_client.post(
        reverse(submit, args=[home_page.pk]), {"locales": [german.pk], "include_subtree": "on"}
    )
    assert response.status_code == 302
    draft = lesson_page.get_translation(german)
    assert not draft.live
    assert [i for i, _value in draft.writing_assignments] == [i for i, _value in lesson_page.writing_assignments]

    # She writes the German lesson and publishes it (and the home page and course above it).
    for page in (home_page.get_translation(german), course_page.get_translation(german)):
        page.specific.save_revision().publish()
    data = edit_form_with_order(draft, list(range(len(draft.body.raw_data))), title="Wer bin ich?")
    data["body-0-value"] = data["body-0-value"].replace(ENGLISH_TEXT, GERMAN_TEXT)
    data["action-publish"] = "1"
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors

    published = LessonPage.objects.get(pk=draft.pk)
    assert published.live and published.title == "Wer bin ich?"
    assert published.url == lesson_page.url
    client.force_login(greta)
    with time_machine.travel(LESSON_ONE_OPEN, tick=False):
        assert GERMAN_TEXT in client.get(lesson_page.url).content.decode()


# --- the demo --------------------------------------------------------------------------------------


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    return out.getvalue()


@pytest.mark.django_db
def test_the_seeded_demo_has_a_live_german_translation_of_every_course_page(media_in_tmp, german):
    output = seed()

    english = [
        page.specific
        for page in HomePage.objects.filter(locale__language_code="en").first().get_descendants(inclusive=True)
    ]
    assert len(english) == 2 + len(demo_content.LESSONS)
    for page in english:
        translation = page.get_translation(german)
        assert translation.live and not translation.has_unpublished_changes, page.title
        assert translation.title != page.title or isinstance(page, HomePage)
        if page.url != "/":
            assert translation.url == page.url
        if isinstance(page, LessonPage):
            assert [block.block_type for block in translation.body] == [block.block_type for block in page.body]
            assert [block.id for block in translation.body] == [block.id for block in page.body]
            assert translation.summary != page.summary
            assert 450 <= lesson_words(translation) <= 1000, translation.title  # a real lesson, not a stub
            for block in translation.body:
                if block.block_type != "video":  # an EmbedBlock's clean() would go online
                    block.block.clean(block.value)
    assert f"German  {len(english)} of {len(english)} pages translated now" in output


@pytest.mark.django_db
def test_seeding_twice_adds_no_german_page(media_in_tmp):
    seed()
    german_pages = set(LessonPage.objects.filter(locale__language_code="de").values_list("pk", "latest_revision_id"))

    output = seed()

    assert set(LessonPage.objects.filter(locale__language_code="de").values_list("pk", "latest_revision_id")) == (
        german_pages
    )
    assert CoursePage.objects.filter(locale__language_code="de").count() == 1
    assert HomePage.objects.filter(locale__language_code="de").count() == 1
    assert f"German  0 of {len(demo_content.LESSONS) + 2} pages translated now" in output
