"""Every page that takes a cohort from the request takes it through cohorts.access: one of the
person's own cohorts is shown, another cohort's id or a value that is not a number is a 404."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from cohorts.models import Membership, Role
from course.models import User
from lessons.models import Relationship, SelfCheck
from tests.factories import make_cohort

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Wednesday 25 November 2026, 10:00 in Berlin: both cohorts (from 2 Nov 2026) are running.
WEDNESDAY_10_BERLIN = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)

# Pages that name the cohort with ?cohort=; without it they show the person's current cohort.
QUERY_PAGES = [
    "/",
    reverse("progress:practice"),
    reverse("progress:self_check"),
    reverse("progress:relationships"),
    reverse("mail:preferences"),
    reverse("circle:index"),
]
NOT_A_COHORT = ["abc", "1; DROP", "1.0", "-1", "0", "99999999999999999999", "%00"]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(WEDNESDAY_10_BERLIN, tick=False):
        yield


@pytest.fixture
def people(course_page):
    """Anna is a member of two cohorts; Otto is in a third."""
    spring = make_cohort(course_page, "Spring leaders")
    later = make_cohort(course_page, "Later leaders", start_date=datetime.date(2026, 11, 9))
    foreign = make_cohort(course_page, "Other company")
    anna = User.objects.create_user(email="anna@example.test", password="pw", full_name="Anna Member")
    otto = User.objects.create_user(email="otto@example.test", password="pw", full_name="Otto Other")
    own = Membership.objects.create(user=anna, cohort=spring, role=Role.MEMBER)
    second = Membership.objects.create(user=anna, cohort=later, role=Role.MEMBER)
    Membership.objects.create(user=otto, cohort=foreign, role=Role.MEMBER)
    return {"anna": anna, "own": own, "second": second, "foreign": foreign}


@pytest.fixture
def anna_client(client, people):
    client.force_login(people["anna"])
    return client


def shown_cohort(response):
    return response.context["cohort"] if response.context and "cohort" in response.context else None


@pytest.mark.django_db
@pytest.mark.parametrize("url", QUERY_PAGES)
def test_a_page_shows_the_own_cohort_the_query_names(anna_client, people, url):
    for membership in (people["own"], people["second"]):
        response = anna_client.get(url, {"cohort": membership.cohort_id})

        if response.status_code == 302:  # /circle/ sends the member on to the cohort's feed
            assert response.url == reverse("circle:feed", args=[membership.cohort_id])
        else:
            assert response.status_code == 200
            assert shown_cohort(response) == membership.cohort


@pytest.mark.django_db
@pytest.mark.parametrize("url", QUERY_PAGES)
def test_another_cohorts_id_in_the_query_is_a_404(anna_client, people, url):
    assert anna_client.get(url, {"cohort": people["foreign"].pk}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", QUERY_PAGES)
@pytest.mark.parametrize("value", NOT_A_COHORT)
def test_a_cohort_that_is_not_a_number_is_a_404(anna_client, url, value):
    assert anna_client.get(url, {"cohort": value}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("progress:self_check"), reverse("progress:relationships")])
def test_a_form_posted_for_another_cohort_is_a_404_and_saves_nothing(anna_client, people, url):
    data = {"cohort": people["foreign"].pk, "answer": "Me.", "name": "Someone", "note": ""}

    assert anna_client.post(url, data).status_code == 404
    assert anna_client.post(url, data | {"cohort": "abc"}).status_code == 404
    assert not SelfCheck.objects.exists()
    assert not Relationship.objects.exists()


@pytest.mark.django_db
def test_preferences_posted_for_another_persons_membership_are_a_404(anna_client, people):
    foreign_membership = people["foreign"].memberships.get()

    response = anna_client.post(
        reverse("mail:preferences"), {"membership": foreign_membership.pk, "action": "resubscribe"}
    )

    assert response.status_code == 404
    assert anna_client.post(reverse("mail:preferences"), {"membership": "abc"}).status_code == 404


# Pages that carry the cohort in their path.
PATH_PAGES = {
    "home": lambda cohort_id, lesson: reverse("progress:cohort_home", args=[cohort_id]),
    "feed": lambda cohort_id, lesson: reverse("circle:feed", args=[cohort_id]),
    "portfolio": lambda cohort_id, lesson: reverse("circle:cohort_portfolio", args=[cohort_id, "json"]),
    "write": lambda cohort_id, lesson: reverse(
        "lessons:start", args=[cohort_id, lesson.pk, lesson.writing_assignments[0][0]]
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PATH_PAGES)
def test_another_cohorts_id_in_the_path_is_a_404(anna_client, people, lesson_page, page):
    url = PATH_PAGES[page]

    assert anna_client.get(url(people["own"].cohort_id, lesson_page)).status_code in (200, 302)
    assert anna_client.get(url(people["foreign"].pk, lesson_page)).status_code == 404
