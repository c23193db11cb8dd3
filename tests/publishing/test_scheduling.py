"""A post scheduled for Tuesday 08:30 in the member's zone goes out then, and once."""

import datetime
import zoneinfo
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from django.urls import reverse

from publishing import posting
from publishing.models import Publication
from tests.factories import MembershipFactory, make_ready_piece

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
TUESDAY_0830 = datetime.datetime(2026, 11, 24, 8, 30, tzinfo=BERLIN)


def test_a_post_scheduled_for_tuesday_0830_berlin_goes_out_then_once(
    client, fake_mastodon, django_capture_on_commit_callbacks
):
    member = MembershipFactory(time_zone="Europe/Berlin")
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(member.user)
        response = client.post(reverse("publishing:connect_mastodon"), {"instance": "mastodon.example"})
        back = urlsplit(requests.get(response["Location"], allow_redirects=False, timeout=5).headers["Location"])
        client.get(f"{back.path}?{back.query}")
        piece = make_ready_piece(body="Tuesday morning thoughts.", membership=member)
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(
                reverse("publishing:piece", args=[piece.pk]),
                {"post_mastodon": "on", "text_mastodon": piece.body, "when": "later", "at": "2026-11-24T08:30"},
            )
        assert response.status_code == 302
        assert queued == []  # nothing leaves now
    publication = Publication.objects.get(submission=piece)
    assert publication.due_at == TUESDAY_0830

    with time_machine.travel(TUESDAY_0830 - datetime.timedelta(minutes=1), tick=False):
        assert posting.tick()["queued"] == 0
    with time_machine.travel(TUESDAY_0830, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert posting.tick()["queued"] == 1
        assert len(queued) == 1
        assert posting.post(publication.pk) == "posted"
    with time_machine.travel(TUESDAY_0830 + datetime.timedelta(minutes=1), tick=False):
        assert posting.tick()["queued"] == 0
        assert posting.post(publication.pk) == "taken"
    assert len(fake_mastodon.posted) == 1
