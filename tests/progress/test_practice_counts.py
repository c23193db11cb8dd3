"""The practice page counts a piece once per platform, however many posts were recorded for it."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lessons.models import PostLog
from lessons.writing import get_or_start, save_draft
from progress.habit import habit_for
from tests.factories import make_world


@pytest.fixture(autouse=True)
def midday():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def world(course_page):
    return make_world(course_page)


def test_one_piece_posted_twice_on_linkedin_counts_once(client, world):
    piece = get_or_start(world.anna, world.lesson, world.assignment_id)
    save_draft(piece.pk, title="", body="Text.", base_version=0)
    today = timezone.localdate()
    for url in ("https://www.linkedin.com/posts/a-1", "https://www.linkedin.com/posts/a-2"):
        PostLog.objects.create(membership=world.anna, submission=piece, url=url, platform="linkedin", posted_on=today)
    PostLog.objects.create(membership=world.anna, url="https://x.com/a/status/1", platform="x", posted_on=today)
    PostLog.objects.create(membership=world.anna, url="https://x.com/a/status/2", platform="x", posted_on=today)

    habit = habit_for(world.anna, timezone.now())

    assert dict(habit.by_platform) == {"LinkedIn": 1, "X": 2}  # posts outside assignments count each
    assert habit.weeks[-1].published == 3
    client.force_login(world.anna.user)
    page = client.get(reverse("progress:practice")).content.decode()
    assert "LinkedIn" in page
