"""The relationships log (Working Out Loud): list, add and edit people, log contributions; every
page only for the member who owns the list (another member gets a 404)."""

import datetime

import pytest
from django.urls import reverse

from cohorts.models import Membership
from course.models import User
from lessons.models import Contribution, PostLog, Relationship
from tests.factories import make_cohort


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page)


def person(cohort, email):
    user = User.objects.create_user(email=email, password="pw-long-enough-42", full_name=email.split("@")[0])
    return Membership.objects.create(user=user, cohort=cohort)


@pytest.fixture
def anna(cohort):
    return person(cohort, "anna@example.test")


@pytest.fixture
def ben(cohort):
    return person(cohort, "ben@example.test")


def test_a_member_adds_edits_and_lists_people(client, anna):
    client.force_login(anna.user)
    url = reverse("progress:relationships")
    response = client.post(
        url, {"name": "Dana Okafor", "note": "Runs the logistics community.", "cohort": anna.cohort_id}
    )
    assert response.status_code == 302
    dana = Relationship.objects.get(membership=anna)
    assert dana.name == "Dana Okafor"

    detail = reverse("progress:relationship", args=[dana.pk])
    client.post(detail, {"action": "edit", "name": "Dana O.", "note": "Logistics; prefers short posts."})
    dana.refresh_from_db()
    assert dana.name == "Dana O."
    html = client.get(url).content.decode()
    assert "Dana O." in html and "0 contributions" in html


def test_a_member_logs_contributions_optionally_linked_to_their_own_post(client, anna, ben):
    dana = Relationship.objects.create(membership=anna, name="Dana")
    post = PostLog.objects.create(
        membership=anna, url="https://example.com/a", platform="blog", posted_on=datetime.date(2026, 11, 1)
    )
    bens_post = PostLog.objects.create(
        membership=ben, url="https://example.com/b", platform="blog", posted_on=datetime.date(2026, 11, 1)
    )
    client.force_login(anna.user)
    detail = reverse("progress:relationship", args=[dana.pk])

    data = {
        "action": "contribute",
        "kind": "introduction",
        "made_on": "2026-11-03",
        "note": "Met Eli.",
        "post": post.pk,
    }
    assert client.post(detail, data).status_code == 302
    # Someone else's post is not a choice.
    assert client.post(detail, {**data, "post": bens_post.pk}).status_code == 200
    [contribution] = Contribution.objects.all()
    assert (contribution.kind, contribution.post, contribution.made_on) == (
        "introduction",
        post,
        datetime.date(2026, 11, 3),
    )
    html = client.get(detail).content.decode()
    assert "Introduction" in html and "Met Eli." in html


def test_another_members_relationship_is_a_404(client, anna, ben):
    dana = Relationship.objects.create(membership=anna, name="Dana")
    client.force_login(ben.user)
    detail = reverse("progress:relationship", args=[dana.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"action": "edit", "name": "Hijacked"}).status_code == 404
    assert client.post(detail, {"action": "delete"}).status_code == 404
    assert client.post(detail, {"action": "contribute", "kind": "share", "made_on": "2026-11-03"}).status_code == 404
    dana.refresh_from_db()
    assert dana.name == "Dana" and not Contribution.objects.exists()
    assert "Dana" not in client.get(reverse("progress:relationships")).content.decode()


def test_a_member_cannot_add_people_to_another_cohorts_list(client, anna, course_page):
    other = make_cohort(course_page, name="Other")
    client.force_login(anna.user)
    response = client.post(reverse("progress:relationships"), {"name": "Dana", "cohort": other.pk})
    assert response.status_code == 404
    assert not Relationship.objects.exists()


def test_a_member_removes_a_person(client, anna):
    dana = Relationship.objects.create(membership=anna, name="Dana")
    client.force_login(anna.user)
    client.post(reverse("progress:relationship", args=[dana.pk]), {"action": "delete"})
    assert not Relationship.objects.exists()
