"""The Deliveries report in the Wagtail admin: scoped list, filters, previews and "send now"."""

import datetime
import html
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Invitation, Membership, Role
from course.models import User
from mail import dispatch, slot_planners
from mail.delivery_preview import mask_tokens
from mail.models import Delivery, DeliveryState, Kind, NudgeOptOut
from tests.factories import make_cohort, make_lesson, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Wednesday 25 November 2026, 10:00 in Berlin: both cohorts (2 Nov 2026 – 31 Jan 2027) are running.
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
INDEX = "/admin/deliveries/"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cohort_a(course_page):
    return make_cohort(course_page, name="Leadership A")


@pytest.fixture
def cohort_b(course_page):
    return make_cohort(course_page, name="Leadership B")


@pytest.fixture
def facilitator(cohort_a):
    user = User.objects.create_user(email="fritz@klartext.test", password="pw", full_name="Fritz Lang")
    user.groups.add(Group.objects.get(name="Facilitators"))
    Membership.objects.create(user=user, cohort=cohort_a, role=Role.FACILITATOR)
    return user


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


def deliver(membership, kind=Kind.WEEKLY_NUDGE, *, key="2026-W48", **fields):
    fields.setdefault("due_at", NOW)
    return Delivery.objects.create(membership=membership, kind=kind, period_key=key, **fields)


def invite_delivery(cohort, email):
    invitation = Invitation.objects.create(
        cohort=cohort,
        email=email,
        language="en",
        time_zone="Europe/Berlin",
        expires_at=Invitation.default_expiry(),
    )
    return Delivery.objects.create(invitation=invitation, kind=Kind.INVITATION, period_key="1", due_at=NOW)


def many_deliveries(cohort, count, prefix):
    members = make_members(cohort, count, prefix=prefix, zones=("Europe/Berlin", "Asia/Kathmandu"))
    Delivery.objects.bulk_create(
        [
            Delivery(membership=m, kind=Kind.WEEKLY_NUDGE, period_key="2026-W48", due_at=NOW, state=state)
            for m, state in zip(
                members, [DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.FAILED] * count, strict=False
            )
        ]
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                cohort=cohort,
                email=f"{prefix}-invited{i}@example.com",
                language="en",
                time_zone="Europe/Berlin",
                expires_at=Invitation.default_expiry(),
            )
            for i in range(count // 5)
        ]
    )
    Delivery.objects.bulk_create(
        [Delivery(invitation=i, kind=Kind.INVITATION, period_key="1", due_at=NOW) for i in invitations]
    )


def message_texts(response):
    # Wagtail's admin messages are stored HTML-escaped.
    return [html.unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]


def listed_ids(response):
    return {int(pk) for pk in re.findall(r'href="/admin/deliveries/(\d+)/"', response.content.decode())}


# --- the list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_facilitator_sees_the_deliveries_of_their_cohorts_only(facilitator_client, cohort_a, cohort_b):
    (a_member,) = make_members(cohort_a, 1, prefix="a")
    (b_member,) = make_members(cohort_b, 1, prefix="b")
    mine = {deliver(a_member).pk, invite_delivery(cohort_a, "new@example.com").pk}
    theirs = {deliver(b_member).pk, invite_delivery(cohort_b, "other@example.com").pk}

    response = facilitator_client.get(INDEX)
    assert response.status_code == 200
    assert listed_ids(response) == mine
    content = response.content.decode()
    assert "new@example.com" in content and "other@example.com" not in content
    for pk in theirs:
        assert facilitator_client.get(f"{INDEX}{pk}/").status_code == 404


@pytest.mark.django_db
def test_the_consultant_sees_every_cohorts_deliveries(admin_client, cohort_a, cohort_b):
    (a_member,) = make_members(cohort_a, 1, prefix="a")
    (b_member,) = make_members(cohort_b, 1, prefix="b")
    everything = {deliver(a_member).pk, deliver(b_member).pk, invite_delivery(cohort_b, "x@example.com").pk}
    assert listed_ids(admin_client.get(INDEX)) == everything


@pytest.mark.django_db
def test_a_member_who_facilitates_nothing_gets_no_deliveries(client, cohort_a):
    (a_member,) = make_members(cohort_a, 1, prefix="a")
    deliver(a_member)
    user = a_member.user
    user.groups.add(Group.objects.get(name="Facilitators"))  # admin access, but no cohort to facilitate
    client.force_login(user)
    assert listed_ids(client.get(INDEX)) == set()


@pytest.mark.django_db
def test_the_list_is_newest_first_and_filters_by_cohort_kind_state_and_flagged(admin_client, cohort_a, cohort_b):
    a1, a2 = make_members(cohort_a, 2, prefix="a")
    (b1,) = make_members(cohort_b, 1, prefix="b")
    sent = deliver(a1, state=DeliveryState.SENT)
    failed = deliver(a2, Kind.LESSON_RELEASED, key="lesson:1", state=DeliveryState.FAILED)
    flagged = deliver(a2, state=DeliveryState.UNKNOWN, flagged=True)
    other = deliver(b1, Kind.EVENT_KIT, key="event:1:day")

    content = admin_client.get(INDEX).content.decode()
    order = [int(pk) for pk in re.findall(r'href="/admin/deliveries/(\d+)/"', content)]
    assert order == [other.pk, flagged.pk, failed.pk, sent.pk]

    assert listed_ids(admin_client.get(INDEX, {"cohort": cohort_a.pk})) == {sent.pk, failed.pk, flagged.pk}
    assert listed_ids(admin_client.get(INDEX, {"kind": "weekly_nudge"})) == {sent.pk, flagged.pk}
    assert listed_ids(admin_client.get(INDEX, {"state": "failed"})) == {failed.pk}
    assert listed_ids(admin_client.get(INDEX, {"flagged": "on"})) == {flagged.pk}
    assert listed_ids(admin_client.get(INDEX, {"cohort": cohort_b.pk, "kind": "event_kit"})) == {other.pk}


@pytest.mark.django_db
def test_a_facilitator_cannot_filter_by_another_cohort(facilitator_client, cohort_a, cohort_b):
    (b1,) = make_members(cohort_b, 1, prefix="b")
    deliver(b1)
    response = facilitator_client.get(INDEX, {"cohort": cohort_b.pk})
    assert response.status_code == 200
    assert listed_ids(response) == set()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_bad_filter_values_are_reported_not_a_server_error(admin_client, cohort_a):
    (a1,) = make_members(cohort_a, 1, prefix="a")
    row = deliver(a1)
    response = admin_client.get(INDEX, {"cohort": "x'--", "state": "exploded", "kind": "<b>", "p": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert listed_ids(response) == {row.pk}


@pytest.mark.django_db
def test_the_counters_count_sent_pending_failed_unknown_or_flagged_expired_and_missed(admin_client, cohort_a):
    members = make_members(cohort_a, 9, prefix="a")
    states = ["sent", "sent", "pending", "sending", "failed", "unknown", "skipped", "expired", "missed"]
    for member, state in zip(members, states, strict=True):
        deliver(member, state=state, flagged=state == "unknown")
    deliver(members[0], key="2026-W47", state="sent", flagged=True)  # flagged by hand after sending

    content = admin_client.get(INDEX, {"state": "failed"}).content.decode()
    counters = dict(re.findall(r'data-counter="(\w+)">(\d+)<', content))
    assert counters == {"sent": "3", "pending": "2", "failed": "1", "unknown": "2", "expired": "1", "missed": "1"}


@pytest.mark.django_db
def test_the_lists_query_count_is_the_same_for_10_and_100_rows(
    facilitator_client, cohort_a, cohort_b, django_assert_num_queries
):
    many_deliveries(cohort_b, 30, "b")  # another cohort's rows are neither shown nor counted
    many_deliveries(cohort_a, 10, "small")
    facilitator_client.get(INDEX)  # warm caches (content types, site, menu)
    with CaptureQueriesContext(connection) as small:
        response = facilitator_client.get(INDEX, {"kind": "weekly_nudge"})
    assert len(listed_ids(response)) == 10

    many_deliveries(cohort_a, 90, "large")
    with django_assert_num_queries(len(small)):
        response = facilitator_client.get(INDEX, {"kind": "weekly_nudge"})
    assert len(listed_ids(response)) == 50  # the first page of 100
    with django_assert_num_queries(len(small)):
        response = facilitator_client.get(INDEX, {"kind": "weekly_nudge", "p": "2"})
    assert len(listed_ids(response)) == 50


@pytest.mark.django_db
def test_the_pagination_keeps_the_filters(admin_client, cohort_a):
    many_deliveries(cohort_a, 60, "a")
    content = admin_client.get(INDEX, {"kind": "weekly_nudge"}).content.decode()
    assert 'href="?kind=weekly_nudge&amp;p=2"' in content


# --- the preview -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_shows_subject_text_and_the_html_escaped_in_a_sandboxed_frame(admin_client, cohort_a, course_page):
    make_lesson(course_page, "Who am I")
    (member,) = make_members(cohort_a, 1, prefix="a")
    User.objects.filter(pk=member.user_id).update(full_name='<script>alert("x")</script> Eve')
    delivery = deliver(member, variant="posted")

    response = admin_client.get(f"{INDEX}{delivery.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your post this week" in content  # the subject
    assert "weekly reminder to write one post" in content  # the text part
    frame = re.search(r"<iframe[^>]*>", content).group(0)
    assert 'sandbox=""' in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)
    assert srcdoc.startswith("&lt;")  # the email's HTML, escaped into the attribute
    assert "&quot;color:#1d5c5a;&quot;" in srcdoc
    # Nothing of the email's HTML (nor the name in it) is live markup on the admin page.
    assert 'style="color:#1d5c5a;"' not in content
    assert '<script>alert("x")' not in content
    # Rendering a preview records nothing (a real send would store the variant it chose).
    delivery.refresh_from_db()
    assert delivery.variant == "posted"


@pytest.mark.django_db
def test_an_invitation_preview_is_rendered_too(facilitator_client, cohort_a):
    delivery = invite_delivery(cohort_a, "new@example.com")
    content = facilitator_client.get(f"{INDEX}{delivery.pk}/").content.decode()
    assert "new@example.com" in content
    assert "srcdoc=" in content


@pytest.mark.django_db
def test_a_preview_that_cannot_be_built_says_why(admin_client, cohort_a):
    (member,) = make_members(cohort_a, 1, prefix="a")
    NudgeOptOut.objects.create(membership=member, kind=Kind.WEEKLY_NUDGE)
    delivery = deliver(member)
    response = admin_client.get(f"{INDEX}{delivery.pk}/")
    assert response.status_code == 200
    assert "This email cannot be built now: The member switched this kind of email off." in response.content.decode()


@pytest.mark.django_db
def test_the_report_says_where_emails_go_when_no_smtp_server_is_configured(admin_client, settings, tmp_path):
    notice = f"No SMTP server is configured: emails are written to {tmp_path}"
    assert notice not in admin_client.get(INDEX).content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    assert notice in admin_client.get(INDEX).content.decode()


@pytest.mark.django_db
def test_the_deliveries_menu_item_is_shown_to_facilitators(facilitator_client):
    content = facilitator_client.get(reverse("wagtailadmin_home")).content.decode()
    assert INDEX in content


# --- send this week's nudge now ----------------------------------------------------------------


def send_now(client, cohort):
    return client.post(reverse("cohort_deliveries:send_now", args=[cohort.pk]))


@pytest.mark.django_db
def test_send_now_queues_this_weeks_nudge_once_and_a_second_click_queues_nothing(
    facilitator_client, cohort_a, django_capture_on_commit_callbacks
):
    members = make_members(cohort_a, 3, prefix="a")
    with django_capture_on_commit_callbacks() as callbacks:
        response = send_now(facilitator_client, cohort_a)
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?cohort={cohort_a.pk}"
    assert message_texts(response)[0].startswith("3 weekly nudges queued, 0 members already had this week's nudge.")
    rows = Delivery.objects.filter(kind=Kind.WEEKLY_NUDGE)
    assert sorted(rows.values_list("membership", flat=True)) == sorted(m.pk for m in members)
    assert set(rows.values_list("period_key", "state", "due_at")) == {("2026-W48", "pending", NOW)}
    assert all(row.enqueued_at == NOW for row in rows)  # dispatched to the workers...
    assert len(callbacks) == 1  # ...in one send_batch task, queued after the commit

    response = send_now(facilitator_client, cohort_a)
    assert message_texts(response)[-1] == "0 weekly nudges queued, 3 members already had this week's nudge."
    assert rows.count() == 3


@pytest.mark.django_db
def test_send_now_counts_a_nudge_the_tick_already_sent_this_week(admin_client, cohort_a):
    early, late = make_members(cohort_a, 2, prefix="a")
    deliver(early, state=DeliveryState.SENT)  # Monday's tick
    response = send_now(admin_client, cohort_a)
    assert message_texts(response)[0].startswith("1 weekly nudge queued, 1 member already had this week's nudge.")
    assert Delivery.objects.filter(membership=late, kind=Kind.WEEKLY_NUDGE, period_key="2026-W48").exists()


@pytest.mark.django_db
def test_send_now_respects_opt_outs_unsubscribes_pauses_and_other_cohorts(admin_client, cohort_a, cohort_b):
    reachable, opted_out, unsubscribed, paused, inactive = make_members(cohort_a, 5, prefix="a")
    NudgeOptOut.objects.create(membership=opted_out, kind=Kind.WEEKLY_NUDGE)
    Membership.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=NOW)
    Membership.objects.filter(pk=paused.pk).update(paused_until=datetime.date(2026, 12, 1))
    User.objects.filter(pk=inactive.user_id).update(is_active=False)
    make_members(cohort_b, 2, prefix="b")
    facilitator = User.objects.create_user(email="f@example.com", password="pw")
    Membership.objects.create(user=facilitator, cohort=cohort_a, role=Role.FACILITATOR)

    assert dispatch.queue_weekly_nudges_now(cohort_a, NOW) == {"queued": 1, "already": 0}
    assert list(Delivery.objects.values_list("membership", flat=True)) == [reachable.pk]


@pytest.mark.django_db
def test_send_now_uses_each_members_own_local_week(admin_client, cohort_a):
    berlin, auckland = make_members(cohort_a, 2, prefix="a", zones=("Europe/Berlin", "Pacific/Auckland"))
    # Sunday 29 November 2026, 20:00 in Berlin is already Monday 08:00 in Auckland: a new week there.
    sunday_evening = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=BERLIN)
    assert dispatch.queue_weekly_nudges_now(cohort_a, sunday_evening) == {"queued": 2, "already": 0}
    keys = dict(Delivery.objects.values_list("membership", "period_key"))
    assert keys == {berlin.pk: "2026-W48", auckland.pk: "2026-W49"}
    # The tick at Auckland's chosen Monday 09:00 then finds the week done: no duplicate.
    slot_planners.plan_weekly_nudges(
        datetime.datetime(2026, 11, 30, 9, 5, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland"))
    )
    assert Delivery.objects.count() == 2


@pytest.mark.django_db
def test_send_now_sends_nothing_to_a_cohort_that_has_not_started(admin_client, course_page):
    upcoming = make_cohort(
        course_page, name="Next year", start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2027, 6, 1)
    )
    make_members(upcoming, 2, prefix="u")
    response = send_now(admin_client, upcoming)
    assert "Nobody in Next year gets the weekly nudge now" in message_texts(response)[0]
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_send_now_is_only_for_the_cohorts_one_facilitates_and_only_by_post(facilitator_client, cohort_a, cohort_b):
    make_members(cohort_b, 2, prefix="b")
    assert send_now(facilitator_client, cohort_b).status_code == 404
    assert not Delivery.objects.exists()
    assert facilitator_client.get(reverse("cohort_deliveries:send_now", args=[cohort_a.pk])).status_code == 405


@pytest.mark.django_db
def test_the_send_now_button_appears_once_a_cohort_is_chosen(facilitator_client, cohort_a):
    button = reverse("cohort_deliveries:send_now", args=[cohort_a.pk])
    assert button not in facilitator_client.get(INDEX).content.decode()
    assert button in facilitator_client.get(INDEX, {"cohort": cohort_a.pk}).content.decode()


# --- hardening: previews never show a usable link -----------------------------------------


@pytest.mark.django_db
def test_an_invitation_preview_masks_the_invitation_token(facilitator_client, cohort_a):
    delivery = invite_delivery(cohort_a, "new@example.com")
    token = delivery.invitation.token

    content = facilitator_client.get(f"{INDEX}{delivery.pk}/").content.decode()

    assert token not in content
    assert token not in html.unescape(content)
    assert "/invite/•••/" in html.unescape(content)


def test_every_kind_of_link_token_is_masked_and_other_links_are_kept():
    text = (
        "https://k.test/invite/.eJyrVspUslKyUkpOKU:1tA:abc-_x/ "
        "https://k.test/invite/abc:def/renew/ "
        "https://k.test/email/unsubscribe/eyJtIjoxfQ:1x:sig/ "
        "webcal://k.test/calendar/AbCdEfGhIjKlMnOpQrSt_-.ics "
        "https://k.test/lessons/who-am-i/"
    )

    assert mask_tokens(text) == (
        "https://k.test/invite/•••/ "
        "https://k.test/invite/•••/renew/ "
        "https://k.test/email/unsubscribe/•••/ "
        "webcal://k.test/calendar/•••.ics "
        "https://k.test/lessons/who-am-i/"
    )
