"""A member deletes their account: their writing goes, what they wrote to others stays as
"a former member", and nothing another person sees breaks."""

import datetime
import io
import json
import zipfile

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts import invitations
from cohorts.models import Circle, Cohort, Invitation, Membership, Role
from course.models import User
from lessons import writing
from lessons.models import (
    Contribution,
    Feedback,
    Pause,
    PeerReview,
    PostLog,
    Relationship,
    Response,
    SelfCheck,
    Submission,
    SubmissionVersion,
)
from mail.models import Delivery, Kind, NudgeOptOut
from progress import privacy

PASSWORD = "a-long-and-unusual-passphrase-42"
LEAVER = "Lena Leaver"


def person(email, name, **extra):
    return User.objects.create_user(email=email, password=PASSWORD, full_name=name, **extra)


def piece(membership, title, body):
    submission = Submission.objects.create(
        membership=membership, assignment_id=f"a-{title}", assignment_title=f"About {title}"
    )
    writing.save_draft(submission.pk, title=title, body=body, base_version=0)
    submission.refresh_from_db()
    writing.share(submission, now=timezone.now())
    submission.refresh_from_db()
    return submission


@pytest.fixture
def world(course_page, consultant):
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course_page,
        name="Acme leadership",
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=60),
    )
    circle = Circle.objects.create(cohort=cohort, name="Circle 1")
    leaver = Membership.objects.create(
        user=person("lena@acme.test", LEAVER), cohort=cohort, circle=circle, role=Role.MEMBER
    )
    stayer = Membership.objects.create(
        user=person("sam@acme.test", "Sam Stayer"), cohort=cohort, circle=circle, role=Role.MEMBER
    )
    facilitator = Membership.objects.create(
        user=person("fiona@acme.test", "Fiona Facilitator"), cohort=cohort, role=Role.FACILITATOR
    )

    leavers_piece = piece(leaver, "Lena's piece", "Lena's own words.")
    writing.save_draft(leavers_piece.pk, title="Lena's piece", body="Lena's own words, v2.", base_version=1)
    writing.respond(leavers_piece, stayer, "Sam answers Lena.")
    writing.give_feedback(leavers_piece, facilitator.user, "Fiona on Lena.", Feedback.Verdict.READY)
    writing.record_post(
        leaver, url="https://www.linkedin.com/posts/lena-leaver-1", platform="linkedin", submission=leavers_piece
    )

    stayers_piece = piece(stayer, "Sam's piece", "Sam's own words.")
    writing.respond(stayers_piece, leaver, "Lena answers Sam.")
    PeerReview.objects.get_or_create(submission=stayers_piece, reviewer=leaver)

    relationship = Relationship.objects.create(membership=leaver, name="Lena's mentor")
    Contribution.objects.create(relationship=relationship, made_on=today)
    SelfCheck.objects.create(membership=leaver, year=today.year, answer="Who Lena is.")
    Pause.objects.create(membership=leaver, starts_on=today, ends_on=today)
    NudgeOptOut.objects.create(membership=leaver, kind=Kind.ALUMNI_NUDGE)
    Delivery.objects.create(membership=leaver, kind=Kind.WEEKLY_NUDGE, period_key="2026-W01", due_at=timezone.now())
    # A pending invitation to another cohort, addressed to her.
    other = Cohort.objects.create(
        course=course_page, name="Acme again", start_date=cohort.start_date, end_date=cohort.end_date
    )
    invitations.invite(other, email="Lena@acme.test", full_name=LEAVER, language="en")
    return {
        "cohort": cohort,
        "leaver": leaver,
        "stayer": stayer,
        "leavers_piece": leavers_piece,
        "stayers_piece": stayers_piece,
    }


def delete_own_account(client, membership, password=PASSWORD):
    client.force_login(membership.user)
    return client.post(reverse("delete_account"), {"password": password})


@pytest.mark.django_db
def test_the_page_explains_what_goes_and_stays_and_offers_the_portfolio_first(client, world):
    client.force_login(world["leaver"].user)

    response = client.get(reverse("delete_account"))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("circle:portfolio", args=["zip"]) in html
    assert "a former member" in html
    assert 'name="password"' in html


@pytest.mark.django_db
def test_the_preferences_page_links_to_the_deletion_page(client, world):
    client.force_login(world["leaver"].user)

    assert reverse("delete_account") in client.get(reverse("mail:preferences")).content.decode()


@pytest.mark.django_db
def test_a_wrong_password_deletes_nothing(client, world):
    response = delete_own_account(client, world["leaver"], password="not-it")

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(email="lena@acme.test").exists()
    assert Submission.objects.filter(pk=world["leavers_piece"].pk).exists()


@pytest.mark.django_db
def test_deleting_removes_the_writing_keeps_responses_to_others_and_signs_out(client, world):
    leaver, piece_id = world["leaver"], world["leavers_piece"].pk
    lenas_response = Response.objects.get(author=leaver)

    response = delete_own_account(client, leaver)

    assert response.status_code == 302 and response.url == "/"
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(email__iexact="lena@acme.test").exists()
    assert not Membership.objects.filter(pk=leaver.pk).exists()
    # Her pieces are gone, with every version, the feedback and responses on them, her posts.
    assert not Submission.objects.filter(pk=piece_id).exists()
    assert not SubmissionVersion.objects.filter(submission_id=piece_id).exists()
    assert not Feedback.objects.filter(submission_id=piece_id).exists()
    assert not Response.objects.filter(submission_id=piece_id).exists()
    assert not PostLog.objects.filter(membership_id=leaver.pk).exists()
    # Her practice, preferences, planned emails and invitations are gone.
    for model in (Relationship, SelfCheck, Pause, NudgeOptOut, Delivery, PeerReview):
        field = "reviewer_id" if model is PeerReview else "membership_id"
        assert not model.objects.filter(**{field: leaver.pk}).exists(), model.__name__
    assert not Contribution.objects.exists()
    assert not Invitation.objects.filter(email__iexact="lena@acme.test").exists()
    # What she wrote to Sam stays, unsigned.
    lenas_response.refresh_from_db()
    assert lenas_response.author is None and lenas_response.body == "Lena answers Sam."
    # The message reaches the now signed-out person.
    assert "Your account and your writing are deleted." in client.get("/").content.decode()


@pytest.mark.django_db
def test_after_deletion_other_members_pages_work_and_say_a_former_member(client, world):
    delete_own_account(client, world["leaver"])
    client.logout()
    client.force_login(world["stayer"].user)
    pages = {
        "feed": reverse("circle:feed", args=[world["cohort"].pk]),
        "piece": reverse("circle:piece", args=[world["stayers_piece"].pk]),
        "editor": reverse("lessons:editor", args=[world["stayers_piece"].pk]),
        "home": reverse("progress:cohort_home", args=[world["cohort"].pk]),
        "practice": reverse("progress:practice"),
    }

    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert LEAVER not in response.content.decode(), name
    assert "a former member" in client.get(pages["piece"]).content.decode()

    portfolio = json.loads(client.get(reverse("circle:portfolio", args=["json"])).content)
    assert "a former member" in json.dumps(portfolio, ensure_ascii=False)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("circle:portfolio", args=["zip"])).content))
    assert any("a former member" in archive.read(name).decode() for name in archive.namelist())


@pytest.mark.django_db
def test_after_deletion_the_facilitators_dashboard_exports_and_queue_leave_the_person_out(
    admin_client, consultant, world
):
    User.objects.filter(pk=consultant.pk).update(language="en")  # her admin speaks German otherwise
    cohort = world["cohort"]
    delete_own_account(Client(), world["leaver"])
    urls = [
        reverse("cohort_admin:dashboard", args=[cohort.pk]),
        reverse("cohort_admin:dashboard_progress_csv", args=[cohort.pk]),
        reverse("cohort_admin:dashboard_summary_csv", args=[cohort.pk]),
        reverse("lessons_feedback:queue"),
        reverse("lessons_feedback:piece", args=[world["stayers_piece"].pk]),
    ]

    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert LEAVER not in response.content.decode("utf-8-sig"), url
        assert "lena@acme.test" not in response.content.decode("utf-8-sig").lower(), url
    assert "a former member" in admin_client.get(urls[-1]).content.decode()


@pytest.mark.django_db
def test_a_facilitators_feedback_stays_as_a_former_facilitator(client, world):
    fiona = Membership.objects.get(user__email="fiona@acme.test")
    feedback = Feedback.objects.get(author=fiona.user)

    privacy.delete_account(fiona.user)

    feedback.refresh_from_db()
    assert feedback.author is None
    client.force_login(world["leaver"].user)
    html = client.get(reverse("lessons:editor", args=[world["leavers_piece"].pk])).content.decode()
    assert "Fiona on Lena." in html
    assert "Fiona Facilitator" not in html


@pytest.mark.django_db
def test_staff_accounts_cannot_delete_themselves_here(admin_client, consultant):
    page = admin_client.get(reverse("delete_account"))
    response = admin_client.post(reverse("delete_account"), {"password": "pw-consultant"})

    assert "another administrator" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert response.status_code == 200
    assert User.objects.filter(pk=consultant.pk).exists()
    with pytest.raises(privacy.AccountDeletionError):
        privacy.delete_account(consultant)


@pytest.mark.django_db
def test_failed_sign_in_records_for_the_email_go_with_the_account(client, world):
    from axes.models import AccessAttempt

    client.post(reverse("login"), {"username": "Lena@acme.test", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="lena@acme.test").exists()

    privacy.delete_account(world["leaver"].user)

    assert not AccessAttempt.objects.filter(username="lena@acme.test").exists()


def test_deleting_needs_a_signed_in_person(client):
    response = client.get(reverse("delete_account"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
