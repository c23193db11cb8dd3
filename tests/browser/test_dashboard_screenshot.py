"""The cohort dashboard in a real browser: a screenshot for review in test-artifacts/."""

import datetime

import pytest
from django.urls import reverse

from course.models import User
from lessons.models import Feedback, Response, Submission, SubmissionState
from tests.factories import make_cohort, make_lesson, make_members, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_renders_matrix_summary_queue_and_cadence(signed_in, live_server, home_page, artifacts):
    from course.models import CoursePage

    course = CoursePage(title="Digital presence for leaders", slug="presence", intro="<p>Honest.</p>")
    home_page.add_child(instance=course)
    course = publish(course)
    lessons = [
        make_lesson(course, title, offset=offset)
        for offset, title in enumerate(["Who am I", "My voice", "Listening", "First post", "Later"])
    ]
    today = datetime.date.today()
    cohort = make_cohort(
        course,
        "Führungsteam",
        organisation="Acme",
        start_date=today - datetime.timedelta(weeks=3, days=today.weekday()),
    )
    members = make_members(cohort, 8)
    names = [
        "Jörg Müller",
        "Ayşe Demir",
        "Ben Okafor",
        "Clara Weiß",
        "Dev Patel",
        "Eva Lind",
        "Farid Haddad",
        "Grete Sørensen",
    ]
    for member, name in zip(members, names, strict=True):
        User.objects.filter(pk=member.user_id).update(full_name=name)
    now = datetime.datetime.now(datetime.UTC)
    states = [SubmissionState.PUBLISHED, SubmissionState.SHARED, SubmissionState.DRAFT]
    pieces = []
    for index, member in enumerate(members[:7]):
        for number, lesson in enumerate(lessons[: 4 - index % 3]):
            block_id = lesson.writing_assignments[0][0]
            state = states[(index + number) % 3]
            shared = (
                now - datetime.timedelta(days=7 * (3 - number) + index % 4) if state != SubmissionState.DRAFT else None
            )
            pieces.append(
                Submission(
                    membership=member,
                    lesson=lesson,
                    assignment_id=block_id,
                    title=f"{lesson.title} — {member.user.full_name}",
                    body="Text",
                    state=state,
                    version=1,
                    shared_at=shared,
                )
            )
    Submission.objects.bulk_create(pieces)
    shared = list(Submission.objects.filter(state=SubmissionState.SHARED).order_by("pk"))
    Feedback.objects.bulk_create([Feedback(submission=s, body="Good", verdict="ready", version=1) for s in shared[::2]])
    Response.objects.bulk_create(
        [Response(submission=s, author=members[(i + 2) % 7], body="Thanks") for i, s in enumerate(shared)]
    )
    type(members[7]).objects.filter(pk=members[7].pk).update(joined_at=now - datetime.timedelta(days=30))
    consultant = User.objects.create_superuser(email="anna@klartext.test", password="pw", full_name="Anna Berger")

    page = signed_in(consultant).new_page()
    page.goto(live_server.url + reverse("cohort_admin:dashboard", args=[cohort.pk]))
    page.wait_for_selector("svg.kt-chart")
    assert page.locator("#member-summary tbody tr").count() == 8
    assert page.get_by_role("img", name="Pieces shared per ISO week").is_visible()

    # The admin scrolls inside its own layout: a tall window shows the whole page.
    height = page.evaluate("document.querySelector('main').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": min(max(height + 100, 900), 4000)})
    path = artifacts / "dashboard.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"dashboard screenshot: {path}")  # noqa: T201
    assert path.stat().st_size > 10_000
