"""The member's email preferences page, and when the next weekly nudge goes out."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from cohorts.models import Membership, Role
from mail.models import Delivery, Kind, NudgeOptOut
from mail.preferences import next_weekly_nudge
from tests.factories import make_cohort, make_members

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# Wednesday 25 November 2026, 10:00 in Berlin: the cohort (2 Nov 2026 – 31 Jan 2027) is running.
WEDNESDAY_10_BERLIN = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
URL = "/preferences/"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(WEDNESDAY_10_BERLIN, tick=False):
        yield


@pytest.fixture
def cohort(course_page):
    return make_cohort(course_page)


@pytest.fixture
def member(cohort):
    (membership,) = make_members(cohort, 1)
    return membership


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def form_data(membership, **changes):
    data = {
        "membership": membership.pk,
        "action": "save",
        "preferences-nudge_weekday": membership.nudge_weekday,
        "preferences-nudge_hour": membership.nudge_hour,
        "preferences-time_zone": membership.time_zone,
        "preferences-language": membership.language,
        "preferences-nudge_frequency": membership.nudge_frequency,
        "preferences-paused_until": "",
        "preferences-opt_outs": [],
    }
    data.update({f"preferences-{name}": value for name, value in changes.items()})
    return data


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_preferences_url_is_the_one_the_emails_link_to():
    assert reverse("mail:preferences") == URL


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


@pytest.mark.django_db
def test_the_page_shows_the_saved_preferences(member_client, member):
    response = member_client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert f'name="membership" value="{member.pk}"' in content
    assert "Leadership team" in content
    assert 'name="preferences-paused_until"' in content
    # The facilitator digest is not a member's email: it is not offered.
    assert 'value="weekly_nudge"' in content
    assert 'value="facilitator_digest"' not in content


@pytest.mark.django_db
def test_a_member_saves_each_preference(member_client, member):
    response = member_client.post(
        URL,
        form_data(
            member,
            nudge_weekday=2,
            nudge_hour=18,
            time_zone="America/New_York",
            language="de",
            nudge_frequency="weekly",
            paused_until="2026-12-20",
            opt_outs=["lesson_released", "event_kit"],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?cohort={member.cohort_id}"
    member.refresh_from_db()
    assert (member.nudge_weekday, member.nudge_hour) == (2, 18)
    assert (member.time_zone, member.language) == ("America/New_York", "de")
    assert member.nudge_frequency == "weekly"
    assert member.paused_until == datetime.date(2026, 12, 20)
    assert set(member.opt_outs.values_list("kind", flat=True)) == {"lesson_released", "event_kit"}
    assert message_texts(response) == ["Your preferences for Leadership team are saved."]


@pytest.mark.django_db
def test_an_empty_pause_unpauses(member_client, member):
    Membership.objects.filter(pk=member.pk).update(paused_until=datetime.date(2026, 12, 1))
    member_client.post(URL, form_data(member, paused_until=""))
    member.refresh_from_db()
    assert member.paused_until is None


@pytest.mark.django_db
def test_unticking_an_opt_out_deletes_its_row_and_leaves_kinds_not_shown_alone(member_client, member):
    for kind in (Kind.LESSON_RELEASED, Kind.EVENT_KIT, Kind.FACILITATOR_DIGEST):
        NudgeOptOut.objects.create(membership=member, kind=kind)
    member_client.post(URL, form_data(member, opt_outs=["event_kit", "weekly_nudge"]))
    assert set(member.opt_outs.values_list("kind", flat=True)) == {"event_kit", "weekly_nudge", "facilitator_digest"}

    member_client.post(URL, form_data(member, opt_outs=[]))
    assert set(member.opt_outs.values_list("kind", flat=True)) == {"facilitator_digest"}


@pytest.mark.django_db
def test_the_opt_out_checkboxes_show_what_is_switched_off(member_client, member):
    NudgeOptOut.objects.create(membership=member, kind=Kind.PEER_REVIEW)
    content = member_client.get(URL).content.decode()
    assert re.search(r'value="peer_review"[^>]*checked', content)
    assert not re.search(r'value="event_kit"[^>]*checked', content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2026-11-20", "Choose a day after today"),
        ("2026-11-25", "Choose a day after today"),
        ("2027-12-01", "You can pause for at most a year"),
    ],
)
def test_a_pause_that_is_not_in_the_coming_year_is_refused_and_the_input_kept(member_client, member, day, error):
    response = member_client.post(URL, form_data(member, paused_until=day, nudge_hour=18))
    assert response.status_code == 200
    content = response.content.decode()
    assert error in content
    assert f'value="{day}"' in content
    assert '<option value="18" selected>' in content  # what they typed is still there
    assert message_texts(response) == ["Nothing was saved: please correct the marked fields."]
    member.refresh_from_db()
    assert (member.paused_until, member.nudge_hour) == (None, 9)


@pytest.mark.django_db
def test_a_pause_of_exactly_a_year_is_accepted(member_client, member):
    response = member_client.post(URL, form_data(member, paused_until="2027-11-25"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.paused_until == datetime.date(2027, 11, 25)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"nudge_hour": 22},
        {"nudge_hour": "nine"},
        {"nudge_weekday": 9},
        {"time_zone": "Mars/Olympus_Mons"},
        {"language": "fr"},
        {"nudge_frequency": "daily"},
        {"paused_until": "next tuesday"},
        {"opt_outs": ["invitation"]},
    ],
)
def test_bad_input_is_refused_with_a_message_never_a_server_error(member_client, member, changes):
    response = member_client.post(URL, form_data(member, **changes))
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode()
    member.refresh_from_db()
    assert (member.nudge_hour, member.nudge_weekday, member.time_zone) == (9, 0, "Europe/Berlin")
    assert not member.opt_outs.exists()


@pytest.mark.django_db
def test_an_old_time_zone_outside_the_list_can_be_kept(member_client, member):
    Membership.objects.filter(pk=member.pk).update(time_zone="UTC")
    member.refresh_from_db()
    response = member_client.post(URL, form_data(member, nudge_hour=8))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.time_zone, member.nudge_hour) == ("UTC", 8)


@pytest.mark.django_db
def test_posting_another_members_membership_is_a_404(member_client, member, cohort, course_page):
    (neighbour,) = make_members(cohort, 1, prefix="n")
    stranger_cohort = make_cohort(course_page, name="Other team")
    (stranger,) = make_members(stranger_cohort, 1, prefix="s")
    for other in (neighbour, stranger):
        response = member_client.post(URL, form_data(other, nudge_hour=18))
        assert response.status_code == 404
        response = member_client.post(URL, {"membership": other.pk, "action": "resubscribe"})
        assert response.status_code == 404
        other.refresh_from_db()
        assert other.nudge_hour == 9
    assert member_client.get(f"{URL}?cohort={stranger_cohort.pk}").status_code == 404
    assert member_client.post(URL, form_data(member) | {"membership": "1; DROP"}).status_code == 404
    assert member_client.get(f"{URL}?cohort=x").status_code == 404


@pytest.mark.django_db
def test_a_member_of_two_cohorts_picks_the_cohort_to_change(member_client, member, course_page):
    alumni = make_cohort(
        course_page, name="Earlier team", start_date=datetime.date(2026, 1, 5), end_date=datetime.date(2026, 3, 1)
    )
    second = Membership.objects.create(user=member.user, cohort=alumni, role=Role.MEMBER)
    content = member_client.get(URL).content.decode()
    assert f'name="membership" value="{member.pk}"' in content  # the running cohort first
    assert f"?cohort={alumni.pk}" in content

    content = member_client.get(f"{URL}?cohort={alumni.pk}").content.decode()
    assert f'name="membership" value="{second.pk}"' in content
    member_client.post(URL, form_data(second, nudge_frequency="off"))
    second.refresh_from_db()
    member.refresh_from_db()
    assert (second.nudge_frequency, member.nudge_frequency) == ("off", "monthly")


@pytest.mark.django_db
def test_an_unsubscribed_member_can_resubscribe(member_client, member):
    Membership.objects.filter(pk=member.pk).update(unsubscribed_at=WEDNESDAY_10_BERLIN - datetime.timedelta(days=3))
    content = member_client.get(URL).content.decode()
    assert "You unsubscribed" in content
    assert 'value="resubscribe"' in content

    response = member_client.post(URL, {"membership": member.pk, "action": "resubscribe"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.unsubscribed_at is None
    assert 'value="resubscribe"' not in member_client.get(URL).content.decode()


@pytest.mark.django_db
def test_the_next_nudge_is_shown_in_the_members_own_time_zone(member_client, member):
    Membership.objects.filter(pk=member.pk).update(time_zone="America/New_York", nudge_weekday=3, nudge_hour=8)
    content = member_client.get(URL).content.decode()
    # Thursday 08:00 in New York (14:00 in Berlin, 22:00 in the test's Tokyo).
    assert "Thursday, 26 November 2026, 08:00" in content
    assert 'datetime="2026-11-26T08:00:00-05:00"' in content
    assert "America/New_York" in content


@pytest.mark.django_db
def test_the_next_nudge_follows_a_change_once_it_is_saved(member_client, member):
    member_client.post(URL, form_data(member, nudge_weekday=4, nudge_hour=7, time_zone="Asia/Kathmandu"))
    content = member_client.get(URL).content.decode()
    assert "Friday, 27 November 2026, 07:00" in content
    assert "Asia/Kathmandu" in content


# --- next_weekly_nudge -------------------------------------------------------------------------


def change(instance, **fields):
    """Save new values: the next nudge is read from the database, as the tick reads it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.save(update_fields=list(fields))


@pytest.mark.django_db
def test_the_next_nudge_is_later_today_or_next_week(member):
    change(member, nudge_weekday=2, nudge_hour=11)  # Wednesday 11:00: still to come today
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2026, 11, 25, 11, tzinfo=BERLIN)
    change(member, nudge_hour=10)  # the tick runs within the hour: 10:00 still counts at 10:00
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2026, 11, 25, 10, tzinfo=BERLIN)
    change(member, nudge_hour=9)  # over: next week
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2026, 12, 2, 9, tzinfo=BERLIN)


@pytest.mark.django_db
def test_no_second_nudge_in_a_week_that_already_had_one(member):
    change(member, nudge_weekday=4, nudge_hour=9)  # Friday
    Delivery.objects.create(
        membership=member, kind=Kind.WEEKLY_NUDGE, period_key="2026-W48", due_at=WEDNESDAY_10_BERLIN
    )
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2026, 12, 4, 9, tzinfo=BERLIN)


@pytest.mark.django_db
def test_a_pause_moves_the_next_nudge_past_its_last_day(member):
    # 7 December 2026 is a Monday: that Monday is paused too.
    change(member, nudge_weekday=0, nudge_hour=9, paused_until=datetime.date(2026, 12, 7))
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2026, 12, 14, 9, tzinfo=BERLIN)


@pytest.mark.django_db
def test_there_is_no_next_nudge_when_unsubscribed_opted_out_or_a_facilitator(member):
    NudgeOptOut.objects.create(membership=member, kind=Kind.WEEKLY_NUDGE)
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) is None
    NudgeOptOut.objects.all().delete()
    change(member, unsubscribed_at=WEDNESDAY_10_BERLIN)
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) is None
    change(member, unsubscribed_at=None, role=Role.FACILITATOR)
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) is None


@pytest.mark.django_db
def test_an_upcoming_cohort_nudges_from_its_first_week_and_alumni_only_if_they_chose_weekly(member):
    change(member, nudge_weekday=1, nudge_hour=9)
    cohort = member.cohort
    change(cohort, start_date=datetime.date(2027, 1, 11), end_date=datetime.date(2027, 3, 1))
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2027, 1, 12, 9, tzinfo=BERLIN)

    change(cohort, start_date=datetime.date(2026, 1, 5), end_date=datetime.date(2026, 3, 1))
    change(member, nudge_frequency="monthly")
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) is None
    change(member, nudge_frequency="weekly")
    assert next_weekly_nudge(member, WEDNESDAY_10_BERLIN) == datetime.datetime(2026, 12, 1, 9, tzinfo=BERLIN)


@pytest.mark.django_db
def test_the_next_nudge_keeps_the_local_hour_across_a_clock_change(member):
    change(member, time_zone="America/New_York", nudge_weekday=0, nudge_hour=9)
    # Wednesday 28 October 2026 in New York (still summer time); clocks go back on 1 November.
    now = datetime.datetime(2026, 10, 28, 12, tzinfo=NEW_YORK)
    change(member.cohort, start_date=datetime.date(2026, 10, 1))
    first = next_weekly_nudge(member, now)
    assert first == datetime.datetime(2026, 11, 2, 9, tzinfo=NEW_YORK)
    assert first.utcoffset() == datetime.timedelta(hours=-5)
