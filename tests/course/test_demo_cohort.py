"""The demo seeds a living cohort a newcomer can log into."""

import pytest
from django.core.management import call_command

from cohorts.models import Circle, Cohort, CohortState, Membership
from course.models import User
from lessons.models import Feedback, PostLog, Response, Submission
from mail.models import Delivery


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Cohort, Circle, Membership, Submission, Response, Feedback, PostLog)
    }


@pytest.mark.django_db
def test_seed_demo_creates_a_running_cohort_with_a_facilitator_two_circles_and_members(capsys):
    call_command("seed_demo")
    cohort = Cohort.objects.get()
    assert cohort.state == CohortState.RUNNING
    assert cohort.memberships.filter(role="facilitator", user__email="consultant@klartext.localhost").exists()
    assert cohort.circles.count() == 2
    assert all(circle.memberships.count() >= 3 for circle in cohort.circles.all())
    output = capsys.readouterr().out
    assert "katrin@klartext.localhost" in output
    assert "Password  klartext-demo" in output


@pytest.mark.django_db
def test_seed_demo_includes_shared_pieces_responses_and_feedback():
    call_command("seed_demo")
    assert Submission.objects.filter(state__in=["shared", "published"]).count() >= 5
    assert Response.objects.count() >= 5
    assert set(Feedback.objects.values_list("verdict", flat=True)) == {"revise", "ready"}
    assert PostLog.objects.count() >= 5


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_in_the_cohort():
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before
    # Seeding sends nothing by itself: the past nudges are recorded as sent, nothing is pending.
    assert not Delivery.objects.exclude(state="sent").exists()


@pytest.mark.django_db
def test_demo_members_can_log_in_with_the_printed_password(client):
    call_command("seed_demo")
    # Through the sign-in form: axes needs the request that client.login() would not pass.
    response = client.post("/accounts/login/", {"username": "katrin@klartext.localhost", "password": "klartext-demo"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
