"""`manage.py seed_demo` builds the demo course and the consultant's login, and is safe to repeat."""

import io
import uuid

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Revision

from course.models import CoursePage, HomePage, User
from demo import demo_content
from lessons.formats import DEFAULT_VISIBILITY_CHOICES, Visibility, WritingFormat
from lessons.models import LessonPage
from tests.factories import lesson_words

CONSULTANT_EMAIL = "consultant@klartext.localhost"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    # The cover image is written to MEDIA_ROOT; keep it out of the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def no_demo_password_from_the_shell(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def seed(**kwargs):
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True, **kwargs)
    return out.getvalue()


def demo_course():
    # The English course; its German translation has the same slug.
    return CoursePage.objects.get(slug=demo_content.COURSE["slug"], locale__language_code="en")


def demo_lessons():
    # Reloaded from the database, so bodies come back through the StreamField.
    return list(LessonPage.objects.child_of(demo_course()).order_by("path"))


def counts():
    return {
        "pages": Page.objects.count(),
        "users": User.objects.count(),
        "images": Image.objects.count(),
        "collections": Collection.objects.count(),
        "revisions": Revision.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_creates_a_live_course_under_the_home_page():
    seed()

    course = demo_course()
    assert course.live
    assert course.get_parent().specific_class is HomePage
    assert course.title == "Digital presence for leaders"
    assert 4 <= len(course.outcomes) <= 6
    assert course.default_cadence_days == 7
    assert course.cover_image is not None
    assert course.owner.email == CONSULTANT_EMAIL


@pytest.mark.django_db
def test_demo_course_has_at_least_eight_lessons_in_tree_order():
    seed()

    lessons = demo_lessons()
    assert len(lessons) >= 8
    assert [lesson.title for lesson in lessons] == [lesson["title"] for lesson in demo_content.LESSONS]
    assert [lesson.release_offset for lesson in lessons] == list(range(len(lessons)))
    assert [lesson.number for lesson in lessons] == list(range(1, len(lessons) + 1))
    assert demo_course().lessons == lessons
    assert all(lesson.live and lesson.summary and lesson.estimated_minutes for lesson in lessons)


@pytest.mark.django_db
def test_every_demo_lesson_has_a_writing_assignment():
    seed()

    for lesson in demo_lessons():
        assert lesson.writing_assignments, lesson.title
        for _block_id, assignment in lesson.writing_assignments:
            assert assignment["title"] and assignment["prompt"] and assignment["guidance"].source
            assert assignment["format"] in WritingFormat.values
            assert assignment["default_audience"] in {Visibility.CIRCLE, Visibility.FACILITATOR}
            assert assignment["suggested_length"] >= 10
            assert 0 <= assignment["due_offset_days"] <= 60


@pytest.mark.django_db
def test_first_lesson_asks_for_a_private_self_check():
    seed()

    (_block_id, assignment), *_rest = demo_lessons()[0].writing_assignments
    assert assignment["title"] == "Who am I, what do I say, to whom?"
    assert assignment["format"] == WritingFormat.REFLECTION
    assert assignment["default_audience"] == Visibility.FACILITATOR
    assert assignment.format_label == WritingFormat.REFLECTION.label


@pytest.mark.django_db
def test_demo_assignments_vary_in_format_and_audience():
    seed()

    assignments = [value for lesson in demo_lessons() for _id, value in lesson.writing_assignments]
    assert {value["format"] for value in assignments} == set(WritingFormat.values)
    defaults = {value for value, _label in DEFAULT_VISIBILITY_CHOICES}
    assert {value["default_audience"] for value in assignments} == defaults


@pytest.mark.django_db
def test_demo_assignment_ids_are_stable_uuids():
    seed()
    first_run = {lesson.slug: [i for i, _value in lesson.writing_assignments] for lesson in demo_lessons()}

    # Deleting a lesson and seeding again recreates it with the same ids, as on any other machine.
    LessonPage.objects.get(slug=demo_content.LESSONS[2]["slug"], locale__language_code="en").delete()
    seed()
    second_run = {lesson.slug: [i for i, _value in lesson.writing_assignments] for lesson in demo_lessons()}

    assert second_run == first_run
    all_ids = [block_id for ids in first_run.values() for block_id in ids]
    assert len(set(all_ids)) == len(all_ids)
    for slug, ids in first_run.items():
        for ordinal, block_id in enumerate(ids):
            assert uuid.UUID(block_id).version == 5
            assert block_id == demo_content.block_id(slug, "writing_assignment", ordinal)


@pytest.mark.django_db
def test_demo_lesson_bodies_round_trip_and_pass_block_validation():
    seed()
    cover = demo_course().cover_image

    block_types = set()
    for lesson in demo_lessons():
        assert lesson.table_of_contents, lesson.title
        for block in lesson.body:
            block_types.add(block.block_type)
            assert block.id
            if block.block_type == "image":
                assert block.value["image"] == cover
                assert block.value["alt_text"]
            if block.block_type == "quote":
                assert block.value["attribution"]
            if block.block_type != "video":  # an EmbedBlock's clean() would go online
                block.block.clean(block.value)
    assert block_types == set(LessonPage.body.field.stream_block.child_blocks)


@pytest.mark.django_db
def test_each_demo_lesson_is_substantial():
    seed()

    for lesson in demo_lessons():
        assert 450 <= lesson_words(lesson) <= 1000, (lesson.title, lesson_words(lesson))


@pytest.mark.django_db
def test_cover_image_is_generated_into_the_demo_collection():
    seed()

    image = demo_course().cover_image
    assert image.collection.name == "Demo"
    assert (image.width, image.height) == (1600, 900)
    assert image.file.name.endswith(".png")
    assert image.uploaded_by_user.email == CONSULTANT_EMAIL


@pytest.mark.django_db
def test_seed_demo_publishes_every_page_with_one_revision():
    seed()

    for page in [demo_course(), *demo_lessons()]:
        assert page.live and not page.has_unpublished_changes
        assert page.revisions.count() == 1
        assert page.live_revision_id == page.latest_revision_id


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_number_of_pages_and_users():
    seed()
    after_first = counts()
    latest_revisions = {page.pk: page.latest_revision_id for page in [demo_course(), *demo_lessons()]}

    seed()

    assert counts() == after_first
    assert {page.pk: page.latest_revision_id for page in [demo_course(), *demo_lessons()]} == latest_revisions


@pytest.mark.django_db
def test_second_run_reports_everything_as_already_there():
    first = seed()
    second = seed()

    assert "created" in first
    assert ": created" not in second
    assert second.count("already there") == len(demo_content.LESSONS) + 4  # course, cover, user, cohort
    assert f"0 of {len(demo_content.LESSONS)} lessons created now." in second


@pytest.mark.django_db
def test_consultant_can_sign_in_with_the_demo_password():
    seed()

    user = authenticate(email=CONSULTANT_EMAIL, password="klartext-demo")
    assert user is not None
    assert user.is_staff and user.is_superuser
    assert user.full_name == "Dr. Anna Berger"
    assert (user.language, user.time_zone) == ("de", "Europe/Berlin")


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-longer-secret-for-the-demo")

    output = seed()

    assert authenticate(email=CONSULTANT_EMAIL, password="a-longer-secret-for-the-demo") is not None
    assert authenticate(email=CONSULTANT_EMAIL, password="klartext-demo") is None
    assert "a-longer-secret-for-the-demo" in output


@pytest.mark.django_db
def test_seed_demo_output_names_the_consultant_login():
    output = seed()

    assert "http://localhost:8000/admin/" in output
    assert CONSULTANT_EMAIL in output
    assert "klartext-demo" in output
    assert output.index("Demo course") < output.index("Consultant login")


@pytest.mark.django_db
def test_a_changed_password_is_not_reset_or_shown_on_the_next_run():
    seed()
    user = User.objects.get(email=CONSULTANT_EMAIL)
    user.set_password("chosen-by-anna")
    user.save()

    output = seed()

    assert authenticate(email=CONSULTANT_EMAIL, password="chosen-by-anna") is not None
    consultant_section = output.split("Consultant login", 1)[1].split("Demo cohort", 1)[0]
    assert "klartext-demo" not in consultant_section
    assert "not shown" in consultant_section


@pytest.mark.django_db
def test_every_demo_page_renders_for_the_consultant(client):
    seed()
    # The seed stores the demo video's embed, so rendering never goes online (the machine is offline).
    video_url = "https://www.youtube.com/watch?v=cSohjlYQI2A"
    assert Embed.objects.filter(hash=get_embed_hash(video_url)).exists()
    client.force_login(User.objects.get(email=CONSULTANT_EMAIL))

    response = client.get(demo_course().url)
    assert response.status_code == 200
    for lesson in demo_lessons():
        response = client.get(lesson.url)
        assert response.status_code == 200, lesson.title
        html = response.content.decode()
        # The consultant's profile language is German: she reads the German lesson at this URL.
        shown = lesson.get_translation(Locale.objects.get(language_code="de"))
        assert shown.writing_assignments[0][1]["title"].replace("'", "&#x27;") in html
