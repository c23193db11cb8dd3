"""The facilitator's "Who is stuck" page and its actions, the cohort event's page for members and
the attendance page: what a facilitator and a member see and do, with constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CohortEvent, EventAnswer
from lessons import writing
from lessons.changes import writing_changed
from lessons.models import PeerReview, Relationship
from mail.models import Delivery, FacilitatorNote, Kind
from tests.factories import CircleFactory, MembershipFactory, SubmissionFactory, UserFactory, make_cohort, make_members

DAY = datetime.timedelta(days=1)


@pytest.fixture
def cohort(course_page):
    today = timezone.localdate()
    return make_cohort(course_page, "Stuck page", start_date=today - 30 * DAY, end_date=today + 60 * DAY)


@pytest.fixture
def circle(cohort):
    circle = CircleFactory(cohort=cohort, name="Blue")
    long_ago = timezone.now() - 30 * DAY
    for name, language in (("Anna", "en"), ("Bernd", "de"), ("Cleo", "en"), ("Dora", "en")):
        MembershipFactory(
            cohort=cohort,
            circle=circle,
            language=language,
            joined_at=long_ago,
            user=UserFactory(full_name=name, email=f"{name.lower()}@example.test", language=language),
        )
    return circle


def member(cohort, name):
    return cohort.memberships.get(user__full_name=name)


def url(name, cohort, **query):
    base = reverse(f"cohort_admin:{name}", args=[cohort.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_lists_the_quiet_members_with_a_note_prefilled_in_their_language(admin_client, cohort, circle):
    page = admin_client.get(url("stuck", cohort))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="reason-quiet"' in html and "Bernd" in html

    bernd = member(cohort, "Bernd")
    form = admin_client.get(url("stuck_note", cohort, member=bernd.pk, reason="quiet"))
    assert form.status_code == 200
    assert form.context["form"].initial["subject"] == "Wie geht es Ihnen?"
    assert "Klartext" in form.context["form"].initial["body"]


def test_sending_a_note_from_the_page_queues_one_email_and_logs_it_on_the_members_row(
    admin_client, cohort, circle, django_capture_on_commit_callbacks
):
    anna = member(cohort, "Anna")
    with django_capture_on_commit_callbacks():
        response = admin_client.post(
            url("stuck_note", cohort),
            {"member": anna.pk, "reason": "quiet", "subject": "Hello from Anna's coach", "body": "How are you?"},
        )
    assert response.status_code == 302
    (delivery,) = Delivery.objects.filter(kind=Kind.PERSONAL_NOTE)
    assert delivery.membership == anna
    assert FacilitatorNote.objects.get().reason == "quiet"
    page = admin_client.get(url("stuck", cohort)).content.decode()
    assert "Hello from Anna&#x27;s coach" in page


def test_a_note_without_text_is_refused_and_what_was_typed_stays(admin_client, cohort, circle):
    anna = member(cohort, "Anna")
    response = admin_client.post(url("stuck_note", cohort), {"member": anna.pk, "subject": "Keep me", "body": " "})
    assert response.status_code == 400
    assert "Keep me" in response.content.decode()
    assert not Delivery.objects.exists()


def test_a_note_to_someone_outside_the_cohort_is_a_404(admin_client, cohort, circle, course_page):
    other = MembershipFactory(cohort=make_cohort(course_page, "Other"))
    assert admin_client.get(url("stuck_note", cohort, member=other.pk)).status_code == 404


def test_a_message_to_a_circle_reaches_its_members(admin_client, cohort, circle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        admin_client.post(url("stuck_message", cohort), {"circle": circle.pk, "subject": "Friday", "body": "Meet!"})
    assert Delivery.objects.filter(kind=Kind.GROUP_MESSAGE).count() == 4


def test_reassigning_a_reader_from_the_page(admin_client, cohort, circle):
    anna = member(cohort, "Anna")
    piece = SubmissionFactory(membership=anna)
    writing.save_draft(piece.pk, title="Mine", body="Text", base_version=0)
    piece.refresh_from_db()
    writing.share(piece)
    before = set(PeerReview.objects.filter(submission=piece).values_list("reviewer_id", flat=True))

    response = admin_client.post(url("stuck", cohort), {"action": "reassign", "piece": piece.pk})

    assert response.status_code == 302
    after = set(PeerReview.objects.filter(submission=piece).values_list("reviewer_id", flat=True))
    assert len(after) == 2 and after != before and anna.pk not in after


@pytest.mark.parametrize("view", ["stuck", "dashboard"])
def test_the_stuck_page_and_the_dashboard_take_the_same_queries_for_10_and_200_members(
    admin_client, cohort, view, django_assert_num_queries
):
    make_members(cohort, 10, joined_at=timezone.now() - 30 * DAY)
    admin_client.get(url(view, cohort))
    writing_changed()  # measured: the dashboard built, not read from the cache
    with CaptureQueriesContext(connection) as ten:
        assert admin_client.get(url(view, cohort)).status_code == 200
    with_ten = len(ten)  # now: the next request resets the connection's query log
    make_members(cohort, 190, prefix="more", joined_at=timezone.now() - 30 * DAY)
    admin_client.get(url(view, cohort))
    writing_changed()  # bulk inserts send no signals; and again built, not read
    with django_assert_num_queries(with_ten):
        response = admin_client.get(url(view, cohort))
    assert response.status_code == 200


# --- the event page and who came ------------------------------------------------------------------


@pytest.fixture
def event(cohort):
    return CohortEvent.objects.create(
        cohort=cohort, name="WOL meetup", date=timezone.localdate() + 3 * DAY, start_time=datetime.time(18),
        end_time=datetime.time(20), place="Café", hashtag="WOLBerlin",
    )  # fmt: skip


def test_a_member_answers_going_and_sees_the_kit_and_the_follow_links(client, cohort, circle, event):
    anna = member(cohort, "Anna")
    client.force_login(anna.user)
    page = client.get(reverse("progress:event", args=[event.pk]))
    html = page.content.decode()
    assert "https://mastodon.social/tags/WOLBerlin" in html and "https://bsky.app/hashtag/WOLBerlin" in html
    assert "Follow #WOLBerlin now" in html
    client.post(reverse("progress:event", args=[event.pk]), {"action": "going"})
    assert EventAnswer.objects.get(event=event, membership=anna).going is True


def test_after_the_event_a_member_names_the_people_they_met_into_their_relationships(client, cohort, circle, event):
    CohortEvent.objects.filter(pk=event.pk).update(date=timezone.localdate() - 2 * DAY)
    anna = member(cohort, "Anna")
    client.force_login(anna.user)
    response = client.post(
        reverse("progress:event", args=[event.pk]), {"action": "met", "people": "Dana\n\n  Eli  Ko \n"}
    )
    assert response.status_code == 302
    assert sorted(Relationship.objects.filter(membership=anna).values_list("name", flat=True)) == ["Dana", "Eli Ko"]
    empty = client.post(reverse("progress:event", args=[event.pk]), {"action": "met", "people": "  "})
    assert empty.status_code == 400


def test_someone_outside_the_cohort_gets_a_404_for_the_event(client, course_page, event):
    outsider = MembershipFactory(cohort=make_cohort(course_page, "Else"))
    client.force_login(outsider.user)
    assert client.get(reverse("progress:event", args=[event.pk])).status_code == 404


def test_the_facilitator_records_who_came(admin_client, cohort, circle, event):
    anna, bernd = member(cohort, "Anna"), member(cohort, "Bernd")
    page_url = reverse("cohort_admin:event_attendance", args=[cohort.pk, event.pk])
    assert admin_client.get(page_url).status_code == 200
    admin_client.post(page_url, {"came": [anna.pk]})
    assert EventAnswer.objects.get(event=event, membership=anna).attended is True
    assert EventAnswer.objects.get(event=event, membership=bernd).attended is False
