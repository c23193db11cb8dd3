"""What the seeded demo holds: a live course of substantial lessons with varied writing
assignments, its cover image, the consultant's login, and a running cohort a newcomer can log
into. One seed serves every test here."""

import pytest
from django.contrib.auth import authenticate
from django.test import override_settings

from cohorts.models import Cohort, CohortState
from course.models import HomePage
from demo import demo_content
from lessons.formats import DEFAULT_VISIBILITY_CHOICES, Visibility, WritingFormat
from lessons.models import Feedback, LessonPage, PostLog, Response, Submission
from tests.factories import demo_course, demo_lessons, kept_for_the_module, lesson_words, seed_demo

CONSULTANT_EMAIL = "consultant@klartext.localhost"

# The module's tests run on one worker, so the seed is built once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed_demo_content")]


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """What seed_demo printed; what it built is kept for the module's tests."""
    with kept_for_the_module(django_db_blocker):
        with (
            django_db_blocker.unblock(),
            pytest.MonkeyPatch.context() as patch,
            override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        ):
            patch.delenv("DEMO_PASSWORD", raising=False)
            output = seed_demo()
        yield output


def test_seed_demo_creates_a_live_course_under_the_home_page():
    course = demo_course()
    assert course.live
    assert course.get_parent().specific_class is HomePage
    assert course.title == "Digital presence for leaders"
    assert 4 <= len(course.outcomes) <= 6
    assert course.default_cadence_days == 7
    assert course.cover_image is not None
    assert course.owner.email == CONSULTANT_EMAIL


def test_demo_course_has_at_least_eight_lessons_in_tree_order():
    lessons = demo_lessons()
    assert len(lessons) >= 8
    assert [lesson.title for lesson in lessons] == [lesson["title"] for lesson in demo_content.LESSONS]
    assert [lesson.release_offset for lesson in lessons] == list(range(len(lessons)))
    assert [lesson.number for lesson in lessons] == list(range(1, len(lessons) + 1))
    assert demo_course().lessons == lessons
    assert all(lesson.live and lesson.summary and lesson.estimated_minutes for lesson in lessons)


def test_every_demo_lesson_has_a_writing_assignment():
    for lesson in demo_lessons():
        assert lesson.writing_assignments, lesson.title
        for _block_id, assignment in lesson.writing_assignments:
            assert assignment["title"] and assignment["prompt"] and assignment["guidance"].source
            assert assignment["format"] in WritingFormat.values
            assert assignment["default_audience"] in {Visibility.CIRCLE, Visibility.FACILITATOR}
            assert assignment["suggested_length"] >= 10
            assert 0 <= assignment["due_offset_days"] <= 60


def test_first_lesson_asks_for_a_private_self_check():
    (_block_id, assignment), *_rest = demo_lessons()[0].writing_assignments
    assert assignment["title"] == "Who am I, what do I say, to whom?"
    assert assignment["format"] == WritingFormat.REFLECTION
    assert assignment["default_audience"] == Visibility.FACILITATOR
    assert assignment.format_label == WritingFormat.REFLECTION.label


def test_demo_assignments_vary_in_format_and_audience():
    assignments = [value for lesson in demo_lessons() for _id, value in lesson.writing_assignments]
    assert {value["format"] for value in assignments} == set(WritingFormat.values)
    defaults = {value for value, _label in DEFAULT_VISIBILITY_CHOICES}
    assert {value["default_audience"] for value in assignments} == defaults


def test_demo_lesson_bodies_round_trip_and_pass_block_validation():
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


def test_each_demo_lesson_is_substantial():
    for lesson in demo_lessons():
        assert 450 <= lesson_words(lesson) <= 1000, (lesson.title, lesson_words(lesson))


def test_cover_image_is_generated_into_the_demo_collection():
    image = demo_course().cover_image
    assert image.collection.name == "Demo"
    assert (image.width, image.height) == (1600, 900)
    assert image.file.name.endswith(".png")
    assert image.uploaded_by_user.email == CONSULTANT_EMAIL


def test_seed_demo_publishes_every_page_with_one_revision():
    for page in [demo_course(), *demo_lessons()]:
        assert page.live and not page.has_unpublished_changes
        assert page.revisions.count() == 1
        assert page.live_revision_id == page.latest_revision_id


def test_consultant_can_sign_in_with_the_demo_password():
    user = authenticate(email=CONSULTANT_EMAIL, password="klartext-demo")
    assert user is not None
    assert user.is_staff and user.is_superuser
    assert user.full_name == "Dr. Anna Berger"
    assert (user.language, user.time_zone) == ("de", "Europe/Berlin")


def test_seed_demo_output_names_the_consultant_login(seeded):
    output = seeded

    assert "http://localhost:8000/admin/" in output
    assert CONSULTANT_EMAIL in output
    assert "klartext-demo" in output
    assert output.index("Demo course") < output.index("Consultant login")


# --- the demo cohort ------------------------------------------------------------------------------


def test_seed_demo_creates_a_running_cohort_with_a_facilitator_two_circles_and_members(seeded):
    cohort = Cohort.objects.get()
    assert cohort.state == CohortState.RUNNING
    assert cohort.memberships.filter(role="facilitator", user__email="consultant@klartext.localhost").exists()
    assert cohort.circles.count() == 2
    assert all(circle.memberships.count() >= 3 for circle in cohort.circles.all())
    output = seeded
    assert "katrin@klartext.localhost" in output
    assert "Password  klartext-demo" in output


def test_seed_demo_includes_shared_pieces_responses_and_feedback():
    assert Submission.objects.filter(state__in=["shared", "published"]).count() >= 5
    assert Response.objects.count() >= 5
    assert set(Feedback.objects.values_list("verdict", flat=True)) == {"revise", "ready"}
    assert PostLog.objects.count() >= 5


def test_demo_members_can_log_in_with_the_printed_password(client):
    # Through the sign-in form: axes needs the request that client.login() would not pass.
    response = client.post("/accounts/login/", {"username": "katrin@klartext.localhost", "password": "klartext-demo"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
