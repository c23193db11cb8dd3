"""`manage.py seed_demo` builds the demo course and the consultant's login, and is safe to repeat."""

import uuid

import pytest
from django.contrib.auth import authenticate
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Revision

from course.models import User
from demo import demo_cohort, demo_content
from lessons.models import LessonPage
from tests.factories import demo_course, demo_lessons, seed_demo

CONSULTANT_EMAIL = "consultant@klartext.localhost"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    # The cover image is written to MEDIA_ROOT; keep it out of the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def no_demo_password_from_the_shell(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def counts():
    return {
        "pages": Page.objects.count(),
        "users": User.objects.count(),
        "images": Image.objects.count(),
        "collections": Collection.objects.count(),
        "revisions": Revision.objects.count(),
    }


@pytest.mark.django_db
def test_demo_assignment_ids_are_stable_uuids():
    seed_demo()
    first_run = {lesson.slug: [i for i, _value in lesson.writing_assignments] for lesson in demo_lessons()}

    # Deleting a lesson and seeding again recreates it with the same ids, as on any other machine.
    LessonPage.objects.get(slug=demo_content.LESSONS[2]["slug"], locale__language_code="en").delete()
    seed_demo()
    second_run = {lesson.slug: [i for i, _value in lesson.writing_assignments] for lesson in demo_lessons()}

    assert second_run == first_run
    all_ids = [block_id for ids in first_run.values() for block_id in ids]
    assert len(set(all_ids)) == len(all_ids)
    for slug, ids in first_run.items():
        for ordinal, block_id in enumerate(ids):
            assert uuid.UUID(block_id).version == 5
            assert block_id == demo_content.block_id(slug, "writing_assignment", ordinal)


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_number_of_pages_and_users():
    seed_demo()
    after_first = counts()
    latest_revisions = {page.pk: page.latest_revision_id for page in [demo_course(), *demo_lessons()]}

    seed_demo()

    assert counts() == after_first
    assert {page.pk: page.latest_revision_id for page in [demo_course(), *demo_lessons()]} == latest_revisions


@pytest.mark.django_db
def test_second_run_reports_everything_as_already_there():
    first = seed_demo()
    second = seed_demo()

    assert "created" in first
    assert ": created" not in second
    assert second.count("already there") == len(demo_content.LESSONS) + 4  # course, cover, user, cohort
    assert f"0 of {len(demo_content.LESSONS)} lessons created now." in second


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-longer-secret-for-the-demo")

    output = seed_demo()

    assert authenticate(email=CONSULTANT_EMAIL, password="a-longer-secret-for-the-demo") is not None
    assert authenticate(email=CONSULTANT_EMAIL, password="klartext-demo") is None
    assert "a-longer-secret-for-the-demo" in output
    for _name, email, *_rest in demo_cohort.MEMBERS:
        member = authenticate(email=email, password="a-longer-secret-for-the-demo")
        assert member is not None and not member.is_staff
        assert authenticate(email=email, password="klartext-demo") is None
    member_section = output.split("Member logins", 1)[1]
    assert "Password  a-longer-secret-for-the-demo" in member_section


@pytest.mark.django_db
def test_a_changed_password_is_not_reset_or_shown_on_the_next_run():
    seed_demo()
    user = User.objects.get(email=CONSULTANT_EMAIL)
    user.set_password("chosen-by-anna")
    user.save()

    output = seed_demo()

    assert authenticate(email=CONSULTANT_EMAIL, password="chosen-by-anna") is not None
    consultant_section = output.split("Consultant login", 1)[1].split("Demo cohort", 1)[0]
    assert "klartext-demo" not in consultant_section
    assert "not shown" in consultant_section


@pytest.mark.django_db
def test_every_demo_page_renders_for_the_consultant(client):
    seed_demo()
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
