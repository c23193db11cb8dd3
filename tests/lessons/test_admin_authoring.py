"""The consultant authors lessons through the Wagtail admin, exactly as the editor posts them."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Workflow
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lessons.models import LessonPage
from tests.factories import SubmissionFactory, edit_form_with_order, make_cohort, make_course, make_lesson

VIDEO_URL = "https://www.youtube.com/watch?v=klartext-demo"


@pytest.fixture
def image(db):
    return Image.objects.create(title="Team", file=get_test_image_file())


@pytest.fixture
def cached_embed(db):
    # Embeds are looked up in the database before any provider is asked; the machine is offline.
    return Embed.objects.create(
        url=VIDEO_URL,
        hash=get_embed_hash(VIDEO_URL),
        type="video",
        html='<iframe src="https://www.youtube-nocookie.com/embed/x" title="Talk"></iframe>',
        title="A talk on listening",
    )


def every_block(image):
    return [
        ("text", rich_text("<p>Honest presence starts with what you have to say.</p>")),
        ("heading", {"text": "Who am I?", "level": "h2"}),
        ("quote", {"quote": "Say what you mean.", "attribution": "A reader"}),
        ("image", {"image": str(image.pk), "alt_text": "A team at a table", "caption": "Team"}),
        ("video", {"video": VIDEO_URL, "caption": "Listening first"}),
        ("tip", {"title": "Tip", "text": rich_text("<p>Keep a list of topics.</p>")}),
        ("reflection", {"question": "What do you stand for?", "guidance": "One sentence."}),
        (
            "writing_assignment",
            {
                "title": "What fills your day",
                "prompt": "Write about one thing from this week.",
                "guidance": rich_text("<p>Be specific.</p>"),
                "format": "linkedin",
                "suggested_length": "200",
                "due_offset_days": "5",
                "default_audience": "circle",
            },
        ),
        (
            "writing_assignment",
            {
                "title": "A short post",
                "prompt": "Say it in one breath.",
                "guidance": rich_text("<p>Short.</p>"),
                "format": "short_280",
                "suggested_length": "",
                "due_offset_days": "3",
                "default_audience": "facilitator",
            },
        ),
    ]


def lesson_form(title, blocks, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": extra.pop("slug", "who-am-i"),
            "summary": "Knowing what you have to say.",
            "estimated_minutes": "25",
            "release_offset": "0",
            "body": streamfield(blocks),
            **extra,
        }
    )


def assignment_ids(lesson):
    return [block_id for block_id, _value in lesson.writing_assignments]


@pytest.mark.django_db
def test_consultant_creates_a_lesson_with_every_block_type_in_the_admin(admin_client, course_page, image, cached_embed):
    url = reverse("wagtailadmin_pages:add", args=("lessons", "lessonpage", course_page.pk))
    response = admin_client.post(url, lesson_form("Who am I?", every_block(image), **{"action-publish": "1"}))

    assert response.status_code == 302, response.context and response.context["form"].errors
    lesson = LessonPage.objects.get(slug="who-am-i")
    assert lesson.live
    assert [block.block_type for block in lesson.body] == [
        "text",
        "heading",
        "quote",
        "image",
        "video",
        "tip",
        "reflection",
        "writing_assignment",
        "writing_assignment",
    ]
    assert len(set(assignment_ids(lesson))) == 2


@pytest.mark.django_db
def test_reordering_and_reediting_blocks_keeps_writing_assignment_ids(admin_client, course_page, image, cached_embed):
    add_url = reverse("wagtailadmin_pages:add", args=("lessons", "lessonpage", course_page.pk))
    admin_client.post(add_url, lesson_form("Who am I?", every_block(image), **{"action-publish": "1"}))
    lesson = LessonPage.objects.get(slug="who-am-i")
    ids_before = dict(lesson.writing_assignments)
    first, second = assignment_ids(lesson)

    # Move the last assignment to the top and the first text block to the end, and reword one.
    count = len(lesson.body)
    new_order = [count - 1] + list(range(1, count - 1)) + [0]
    data = edit_form_with_order(lesson, new_order, **{"action-publish": "1"})
    data[f"body-{count - 2}-value-title"] = "What fills your day (revised)"
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=(lesson.pk,)), data)
    assert response.status_code == 302, response.context and response.context["form"].errors

    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.body[0].block_type == "writing_assignment"
    assert lesson.body[len(lesson.body) - 1].block_type == "text"
    assert assignment_ids(lesson) == [second, first]
    assert set(dict(lesson.writing_assignments)) == set(ids_before)
    assert lesson.assignment(first)["title"] == "What fills your day (revised)"
    assert lesson.revisions.count() == 2


@pytest.mark.django_db
def test_preview_of_a_lesson_renders_every_block(admin_client, course_page, image, cached_embed):
    add_url = reverse("wagtailadmin_pages:add", args=("lessons", "lessonpage", course_page.pk))
    admin_client.post(add_url, lesson_form("Who am I?", every_block(image)))
    lesson = LessonPage.objects.get(slug="who-am-i")
    assert not lesson.live  # saved as a draft

    # The editor's preview panel posts the form, then loads the rendered page.
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(lesson.pk,))
    data = edit_form_with_order(lesson, list(range(len(lesson.body))))
    assert admin_client.post(preview_url, data).json() == {"is_valid": True, "is_available": True}
    response = admin_client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Who am I?", "Say what you mean.", "A team at a table", "What fills your day"):
        assert text in html
    assert "youtube-nocookie.com/embed" in html
    assert "280" in html  # the short post's character limit is shown


@pytest.mark.django_db
def test_submitting_a_lesson_for_moderation_starts_the_default_workflow(admin_client, course_page, image, cached_embed):
    assert Workflow.objects.filter(active=True).exists()
    add_url = reverse("wagtailadmin_pages:add", args=("lessons", "lessonpage", course_page.pk))
    response = admin_client.post(add_url, lesson_form("Who am I?", every_block(image), **{"action-submit": "1"}))
    assert response.status_code == 302
    lesson = LessonPage.objects.get(slug="who-am-i")
    assert lesson.workflow_in_progress
    assert not lesson.live


@pytest.mark.django_db
def test_a_lesson_scheduled_for_later_goes_live_when_its_time_comes(admin_client, course_page, image, cached_embed):
    go_live = timezone.now() + datetime.timedelta(days=2)
    add_url = reverse("wagtailadmin_pages:add", args=("lessons", "lessonpage", course_page.pk))
    data = lesson_form(
        "Who am I?",
        every_block(image),
        **{"action-publish": "1"},
        go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M"),
    )
    response = admin_client.post(add_url, data)
    assert response.status_code == 302
    lesson = LessonPage.objects.get(slug="who-am-i")
    assert not lesson.live

    call_command("publish_scheduled", verbosity=0)
    assert not LessonPage.objects.get(pk=lesson.pk).live

    import time_machine

    with time_machine.travel(go_live + datetime.timedelta(minutes=5), tick=False):
        call_command("publish_scheduled", verbosity=0)
    assert LessonPage.objects.get(pk=lesson.pk).live


@pytest.mark.django_db
def test_lessons_are_ordered_by_the_page_tree(course_page):
    second = make_lesson(course_page, "Second")
    first = make_lesson(course_page, "First")
    first.move(second, pos="left")

    course = Page.objects.get(pk=course_page.pk).specific
    assert [lesson.title for lesson in course.lessons] == ["First", "Second"]
    assert LessonPage.objects.get(pk=first.pk).number == 1
    assert LessonPage.objects.get(pk=second.pk).number == 2


@pytest.mark.django_db
def test_deleting_a_lesson_in_use_says_which_cohorts_and_how_much_writing_first(admin_client, course_page):
    lesson = make_lesson(course_page, "Who am I")
    today = timezone.localdate()
    running = make_cohort(
        course_page,
        "Running",
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
    )
    make_cohort(
        course_page, "Over", start_date=today - datetime.timedelta(days=90), end_date=today - datetime.timedelta(days=1)
    )
    SubmissionFactory(membership__cohort=running, lesson=lesson, assignment_id=lesson.writing_assignments[0][0])

    def delete_page(page):
        return admin_client.get(reverse("wagtailadmin_pages:delete", args=[page.pk])).content.decode()

    page = delete_page(lesson)
    assert "“Who am I” is in use." in page
    assert "1 cohort that is running or about to start has it in its schedule." in page
    assert "1 piece of writing answers it." in page
    # Nothing written yet: the running cohort is said, no writing; another course's lesson: nothing.
    assert "piece of writing" not in delete_page(make_lesson(course_page, "Later", offset=3))
    other_course = make_course(course_page.get_parent().specific, title="Speaking", slug="speaking")
    assert "is in use" not in delete_page(make_lesson(other_course, "On stage"))
