"""One platform table: the editor reads it from the page, every format names its limit, and every
page that checks a length checks it against the table."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone, translation

from cohorts.models import Cohort, Membership
from course.models import User
from lessons import platforms
from lessons.formats import WritingFormat
from lessons.forms import RecordPostForm
from lessons.models import PostLog
from lessons.writing import get_or_start, save_draft
from tests.factories import make_lesson


def assignment(fmt):
    return {
        "title": f"Write a {fmt}",
        "prompt": "Write it.",
        "guidance": "<p>Short.</p>",
        "format": fmt,
        "suggested_length": 50,
        "due_offset_days": 3,
        "default_audience": "circle",
    }


@pytest.fixture
def member(course_page):
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course_page,
        name="Spring leaders",
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=60),
        time_zone="Europe/Berlin",
    )
    user = User.objects.create_user(email="anna.member@example.test", password="pw", full_name="Anna Member")
    return Membership.objects.create(user=user, cohort=cohort, role="member")


def piece_for(member, course_page, fmt):
    lesson = make_lesson(course_page, f"Lesson {fmt}", body=[("writing_assignment", assignment(fmt))])
    return get_or_start(member, lesson, lesson.writing_assignments[0][0])


def editor_page(client, piece):
    response = client.get(reverse("lessons:editor", args=[piece.pk]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
@pytest.mark.parametrize("platform", platforms.PLATFORMS, ids=lambda platform: platform.key)
def test_the_editor_counter_counts_against_the_platform_tables_limit(client, member, course_page, platform):
    piece = piece_for(member, course_page, platform.writing_format)
    client.force_login(member.user)

    soup = editor_page(client, piece)

    counter = soup.find(id="counter")
    assert counter["data-platform"] == platform.key
    assert f"/ {platform.limit:g}" in counter.get_text()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", [WritingFormat.BLOG, WritingFormat.REFLECTION])
def test_a_format_without_a_platform_has_no_limit_on_the_editor(client, member, course_page, fmt):
    piece = piece_for(member, course_page, fmt)
    client.force_login(member.user)

    counter = editor_page(client, piece).find(id="counter")

    assert counter["data-platform"] == ""
    assert " / " not in counter.find(class_="counter-figures").get_text()


@pytest.mark.parametrize("platform", platforms.PLATFORMS, ids=lambda platform: platform.key)
def test_each_format_label_names_its_platform_and_the_tables_limit(platform):
    with translation.override("en"):
        label = str(WritingFormat(platform.writing_format).label)
    assert platform.label in label
    assert f"{platform.limit:,}" in label
    assert platforms.character_limit(platform.writing_format) == platform.limit


@pytest.mark.django_db
@pytest.mark.parametrize("platform", platforms.PLATFORMS, ids=lambda platform: platform.key)
def test_the_publish_page_holds_each_platform_to_the_tables_limit(client, member, course_page, platform):
    piece = piece_for(member, course_page, platform.writing_format)
    piece.ready_to_publish = True
    piece.save()
    client.force_login(member.user)
    url = reverse("lessons:publish", args=[piece.pk])

    fits = {}
    for body in ("a" * platform.limit, "a" * (platform.limit + 1)):
        save_draft(piece.pk, title="", body=body, base_version=piece.version)
        piece.refresh_from_db()
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        fit = soup.select_one(f'[data-platform="{platform.key}"] .platform-fit')
        assert int(fit["data-limit"]) == platform.limit
        fits[len(body)] = "fits" in fit["class"]

    assert fits == {platform.limit: True, platform.limit + 1: False}


@pytest.mark.parametrize("platform", platforms.PLATFORMS, ids=lambda platform: platform.key)
def test_a_link_counts_as_the_table_says(platform):
    link = "https://example.com/" + "long-path/" * 10
    expected = platform.url_length if platform.url_length is not None else len(link)
    assert platforms.count_characters(f"a {link}", platform.key) == 2 + expected


def test_a_post_may_be_recorded_for_every_platform_of_the_table_a_blog_or_elsewhere():
    choices = dict(RecordPostForm().fields["platform"].choices)
    assert list(choices) == [platform.key for platform in platforms.PLATFORMS] + ["blog", "other"]
    assert dict(PostLog._meta.get_field("platform").choices) == choices
