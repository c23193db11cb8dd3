"""The practice page speaks the member's language throughout, also in the words put into its
sentences."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_world


@pytest.fixture(autouse=True)
def midday():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC), tick=True):
        yield


def test_the_listening_aim_is_in_german_for_a_german_member(client, course_page):
    world = make_world(course_page)
    user = world.anna.user
    user.language = "de"
    user.save(update_fields=["language"])
    client.force_login(user)

    page = client.get(reverse("progress:practice")).content.decode()

    assert "Ihr Ziel: zwei oder drei Antworten für jeden Text" in page
    assert "two or three" not in page
