"""The consultant manages cohorts in the Wagtail admin; a facilitator manages only their own."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Circle, Cohort, Invitation, Membership, Role
from course.models import User
from lessons import writing
from tests.factories import SubmissionFactory, make_cohort, make_course, make_lesson, make_world


def eight_weeks(start=datetime.date(2026, 1, 5), organisation="Acme"):
    """The cohorts here: eight weeks, most of them for Acme."""
    return {"organisation": organisation, "start_date": start, "end_date": start + datetime.timedelta(weeks=8)}


def add_member(cohort, email, name="", *, role=Role.MEMBER, **extra):
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password="pw", full_name=name or email.split("@")[0]
    )
    return Membership.objects.create(user=user, cohort=cohort, role=role, **extra)


def url(name, *args):
    return reverse(f"cohort_admin:{name}", args=args)


def message_texts(response):
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


@pytest.fixture
def cohort_a(course_page):
    return make_cohort(course_page, "Leadership A", **eight_weeks())


@pytest.fixture
def cohort_b(course_page):
    return make_cohort(course_page, "Leadership B", **eight_weeks(organisation="Globex"))


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


def cohort_form_data(cohort, **changes):
    data = {
        "course": cohort.course_id,
        "name": cohort.name,
        "organisation": cohort.organisation,
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "cadence_days": cohort.cadence_days,
        "release_hour": cohort.release_hour,
        "time_zone": cohort.time_zone,
        "language": cohort.language,
        "hashtag": cohort.hashtag,
    }
    for formset in ("lesson_dates", "events"):
        data.update(
            {
                f"{formset}-TOTAL_FORMS": "0",
                f"{formset}-INITIAL_FORMS": "0",
                f"{formset}-MIN_NUM_FORMS": "0",
                f"{formset}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


# --- permissions and scope ----------------------------------------------------------------------


def test_the_facilitators_group_may_use_the_admin_and_manage_cohorts(db):
    group = Group.objects.get(name="Facilitators")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert ("wagtailadmin", "access_admin") in codenames
    for model in ("cohort", "membership", "circle", "invitation", "lessondate"):
        for action in ("add", "change", "view"):
            assert ("cohorts", f"{action}_{model}") in codenames
    assert ("cohorts", "delete_cohort") not in codenames


def test_a_non_staff_facilitator_signs_in_to_the_admin_and_sees_the_cohorts_menu(facilitator_client):
    response = facilitator_client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    assert url("index") in response.content.decode()


def test_a_member_without_the_group_cannot_open_the_cohort_admin(client, cohort_a):
    member = add_member(cohort_a, "max@example.test").user
    client.force_login(member)

    response = client.get(url("overview", cohort_a.pk))

    assert response.status_code == 302
    assert Invitation.objects.count() == 0


def test_the_list_shows_a_facilitator_only_the_cohorts_they_facilitate(facilitator_client, cohort_a, cohort_b):
    response = facilitator_client.get(url("index"))

    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert listed == [cohort_a]
    assert url("overview", cohort_b.pk) not in response.content.decode()


def test_staff_see_every_cohort(admin_client, cohort_a, cohort_b):
    response = admin_client.get(url("index"))

    assert set(response.context["object_list"]) == {cohort_a, cohort_b}


@pytest.mark.parametrize("view", ["edit", "overview", "invite", "import", "delete", "history", "usage"])
def test_a_facilitator_gets_404_for_another_cohorts_pages(facilitator_client, cohort_b, view):
    assert facilitator_client.get(url(view, cohort_b.pk)).status_code == 404


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("edit", {"name": "Hijacked"}),
        ("overview", {"action": "split"}),
        ("invite", {"email": "x@example.test", "language": "en", "time_zone": "Europe/Berlin", "role": "member"}),
        ("import", {}),
        ("confirm_import", {"token": "x"}),
        ("delete", {}),
    ],
)
def test_a_facilitator_cannot_change_another_cohort_by_posting(facilitator_client, cohort_b, view, data):
    add_member(cohort_b, "b1@example.test")

    response = facilitator_client.post(url(view, cohort_b.pk), data)

    assert response.status_code == 404
    cohort_b.refresh_from_db()
    assert cohort_b.name == "Leadership B"
    assert not Circle.objects.exists()
    assert not Invitation.objects.exists()


def test_a_facilitator_edits_their_own_cohort(facilitator_client, cohort_a):
    assert facilitator_client.get(url("edit", cohort_a.pk)).status_code == 200

    response = facilitator_client.post(url("edit", cohort_a.pk), cohort_form_data(cohort_a, name="Leaders 2026"))

    assert response.status_code == 302
    cohort_a.refresh_from_db()
    assert cohort_a.name == "Leaders 2026"


def test_a_facilitator_invites_people_into_their_own_cohort(facilitator_client, facilitator, cohort_a):
    assert facilitator_client.get(url("overview", cohort_a.pk)).status_code == 200

    response = facilitator_client.post(url("invite", cohort_a.pk), invite_data())

    assert response.status_code == 302
    assert Invitation.objects.get(cohort=cohort_a).invited_by == facilitator


def test_only_staff_create_or_delete_cohorts(facilitator_client, cohort_a, course_page):
    new = Cohort(course=course_page, name="Sneaky", start_date=datetime.date(2026, 2, 2))
    new.end_date = datetime.date(2026, 4, 1)

    # Wagtail answers a permission denied in the admin with a redirect to the dashboard.
    assert facilitator_client.get(url("add")).status_code == 302
    assert facilitator_client.post(url("add"), cohort_form_data(new)).status_code == 302
    assert facilitator_client.post(url("delete", cohort_a.pk)).status_code == 302
    assert not Cohort.objects.filter(name="Sneaky").exists()
    assert Cohort.objects.filter(pk=cohort_a.pk).exists()
    assert url("add") not in facilitator_client.get(url("index")).content.decode()


def test_staff_create_a_cohort_and_land_on_its_overview(admin_client, course_page):
    cohort = Cohort(course=course_page, name="Board 2026", start_date=datetime.date(2026, 2, 2))
    cohort.end_date = datetime.date(2026, 4, 1)

    response = admin_client.post(url("add"), cohort_form_data(cohort))

    created = Cohort.objects.get(name="Board 2026")
    assert response.status_code == 302
    assert response.url == url("overview", created.pk)


def test_a_cohort_that_ends_before_it_starts_is_not_saved_and_the_form_keeps_the_input(admin_client, cohort_a):
    data = cohort_form_data(cohort_a, name="Typed name", end_date="2025-01-01")

    response = admin_client.post(url("edit", cohort_a.pk), data)

    assert response.status_code == 200
    assert "The cohort cannot end before it starts." in response.content.decode()
    assert 'value="Typed name"' in response.content.decode()


def test_staff_delete_a_cohort(admin_client, cohort_a):
    response = admin_client.post(url("delete", cohort_a.pk))

    assert response.status_code == 302
    assert not Cohort.objects.filter(pk=cohort_a.pk).exists()


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_name_organisation_course_state_dates_and_member_count(admin_client, course_page, time_machine):
    time_machine.move_to(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False)
    running = make_cohort(course_page, "Running", **eight_weeks(datetime.date(2026, 1, 5)))
    make_cohort(course_page, "Upcoming", **eight_weeks(datetime.date(2026, 6, 1)))
    for index in range(3):
        add_member(running, f"m{index}@example.test")
    add_member(running, "fac@example.test", role=Role.FACILITATOR)

    response = admin_client.get(url("index"))

    html = response.content.decode()
    for text in ["Running", "Upcoming", "Acme", course_page.title, "Start date", "End date", "Members"]:
        assert text in html
    rows = {c.name: c for c in response.context["object_list"]}
    assert rows["Running"].member_count == 3
    assert rows["Upcoming"].member_count == 0
    assert rows["Running"].get_state_display() == "Running"
    assert rows["Upcoming"].get_state_display() == "Upcoming"
    assert url("overview", running.pk) in html


def test_a_facilitators_list_counts_all_members_not_just_their_own_membership(facilitator_client, cohort_a):
    for index in range(4):
        add_member(cohort_a, f"m{index}@example.test")

    response = facilitator_client.get(url("index"))

    assert [c.member_count for c in response.context["object_list"]] == [4]


def test_the_list_filters_by_state_and_searches_by_name(admin_client, course_page, time_machine):
    time_machine.move_to(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False)
    make_cohort(course_page, "Running", **eight_weeks(datetime.date(2026, 1, 5)))
    make_cohort(course_page, "Upcoming", **eight_weeks(datetime.date(2026, 6, 1)))

    by_state = admin_client.get(url("index"), {"state": "upcoming"})
    by_name = admin_client.get(url("index"), {"q": "runn"})

    assert [c.name for c in by_state.context["object_list"]] == ["Upcoming"]
    assert [c.name for c in by_name.context["object_list"]] == ["Running"]


def test_the_list_takes_the_same_number_of_queries_for_5_and_50_cohorts(
    admin_client, course_page, django_assert_num_queries
):
    def add_cohorts(count, start):
        for index in range(start, start + count):
            cohort = make_cohort(course_page, f"Cohort {index:02d}", **eight_weeks())
            add_member(cohort, f"m{index}@example.test")
            add_member(cohort, f"n{index}@example.test")

    add_cohorts(5, 0)
    admin_client.get(url("index"))  # warm-up: sessions, sites, permissions caches
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(url("index"))
    assert len(response.context["object_list"]) == 5
    # Read now: the next request resets the connection's query log.
    queries_for_five = len(five)

    add_cohorts(45, 5)
    admin_client.get(url("index"))
    with django_assert_num_queries(queries_for_five):
        response = admin_client.get(url("index"))
    assert len(response.context["object_list"]) == 50


# --- the overview --------------------------------------------------------------------------------


def test_the_overview_takes_the_same_number_of_queries_for_few_and_many_people(
    admin_client, cohort_a, course_page, django_assert_num_queries
):
    make_lesson(course_page, "Who am I")

    def add_people(count, start):
        circle = Circle.objects.create(cohort=cohort_a, name=f"Circle {start}")
        for index in range(start, start + count):
            add_member(cohort_a, f"m{index}@example.test", circle=circle if index % 2 else None)
            Invitation.objects.create(
                cohort=cohort_a,
                email=f"i{index}@example.test",
                language="en",
                time_zone="UTC",
                expires_at=timezone.now() + datetime.timedelta(days=index % 3 - 1),
            )

    add_people(3, 0)
    admin_client.get(url("overview", cohort_a.pk))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url("overview", cohort_a.pk))
    queries_for_few = len(few)

    add_people(30, 3)
    admin_client.get(url("overview", cohort_a.pk))
    with django_assert_num_queries(queries_for_few):
        admin_client.get(url("overview", cohort_a.pk))


def test_the_overview_shows_the_schedule_in_the_cohorts_time_zone(admin_client, cohort_a, course_page):
    make_lesson(course_page, "Who am I", offset=0)
    make_lesson(course_page, "What I stand for", offset=1)
    cohort_a.time_zone = "Europe/Berlin"
    cohort_a.release_hour = 8
    cohort_a.save()

    response = admin_client.get(url("overview", cohort_a.pk))

    html = response.content.decode()
    assert response.status_code == 200
    # Lesson 1 opens Monday 5 January at 08:00 Berlin time (16:00 in the test's Tokyo).
    assert "Mon 5 Jan 2026, 08:00" in html
    assert "Mon 12 Jan 2026, 08:00" in html
    # Its assignment is due three days later at the end of the day.
    assert "Write about Who am I — due Thu 8 Jan 2026, 23:59" in html
    assert "What I stand for" in html


def test_the_overview_groups_members_by_circle(admin_client, cohort_a):
    circle = Circle.objects.create(cohort=cohort_a, name="Circle A")
    add_member(cohort_a, "ada@example.test", "Ada Lovelace", circle=circle, language="de", time_zone="Asia/Tokyo")
    add_member(cohort_a, "bob@example.test", "Bob Builder")
    add_member(cohort_a, "fac@example.test", "Fay Facil", role=Role.FACILITATOR)

    response = admin_client.get(url("overview", cohort_a.pk))

    groups = {c.name: [m.user.full_name for m in members] for c, members in response.context["groups"]}
    assert groups == {"Circle A": ["Ada Lovelace"]}
    assert [m.user.full_name for m in response.context["unplaced"]] == ["Bob Builder"]
    assert [m.user.full_name for m in response.context["facilitators"]] == ["Fay Facil"]
    html = response.content.decode()
    for text in ["ada@example.test", "German", "Asia/Tokyo", "Facilitator", "In no circle"]:
        assert text in html


def test_auto_split_of_nine_members_gives_circles_of_five_and_four(admin_client, cohort_a):
    for index in range(9):
        add_member(cohort_a, f"m{index}@example.test")

    response = admin_client.post(url("overview", cohort_a.pk), {"action": "split"})

    assert response.status_code == 302
    sizes = sorted((c.memberships.count() for c in Circle.objects.filter(cohort=cohort_a)), reverse=True)
    assert sizes == [5, 4]
    assert not cohort_a.memberships.filter(circle__isnull=True).exists()
    assert "The members are now in 2 circles." in message_texts(response)


def test_splitting_again_needs_the_replace_box_ticked(admin_client, cohort_a):
    for index in range(8):
        add_member(cohort_a, f"m{index}@example.test")
    admin_client.post(url("overview", cohort_a.pk), {"action": "split"})
    old = set(Circle.objects.values_list("pk", flat=True))

    refused = admin_client.post(url("overview", cohort_a.pk), {"action": "split"})
    assert refused.status_code == 200
    assert set(Circle.objects.values_list("pk", flat=True)) == old

    admin_client.post(url("overview", cohort_a.pk), {"action": "split", "replace": "1"})
    assert set(Circle.objects.values_list("pk", flat=True)).isdisjoint(old)


def test_a_member_moves_to_another_circle(admin_client, cohort_a):
    circle = Circle.objects.create(cohort=cohort_a, name="Circle A")
    member = add_member(cohort_a, "m@example.test", "Mia")

    response = admin_client.post(
        url("overview", cohort_a.pk), {"action": "move", "membership": member.pk, "circle": circle.pk}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.circle == circle


def test_moving_a_member_to_a_circle_of_another_cohort_is_refused(admin_client, cohort_a, cohort_b):
    foreign = Circle.objects.create(cohort=cohort_b, name="Circle A")
    member = add_member(cohort_a, "m@example.test", "Mia")

    response = admin_client.post(
        url("overview", cohort_a.pk), {"action": "move", "membership": member.pk, "circle": foreign.pk}
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.circle is None
    assert any("That circle is not one of this cohort" in text for text in message_texts(response))


def test_a_member_of_another_cohort_cannot_be_moved_through_this_cohort(admin_client, cohort_a, cohort_b):
    circle = Circle.objects.create(cohort=cohort_a, name="Circle A")
    outsider = add_member(cohort_b, "o@example.test")

    admin_client.post(url("overview", cohort_a.pk), {"action": "move", "membership": outsider.pk, "circle": circle.pk})

    outsider.refresh_from_db()
    assert outsider.circle is None


def test_circles_are_created_and_renamed_and_a_taken_name_keeps_what_was_typed(admin_client, cohort_a):
    admin_client.post(url("overview", cohort_a.pk), {"action": "circle", "name": "Early birds"})
    circle = Circle.objects.get(cohort=cohort_a)
    admin_client.post(url("overview", cohort_a.pk), {"action": "circle", "circle": circle.pk, "name": "Night owls"})
    circle.refresh_from_db()
    assert circle.name == "Night owls"

    response = admin_client.post(url("overview", cohort_a.pk), {"action": "circle", "name": "night owls"})

    assert response.status_code == 200
    assert Circle.objects.filter(cohort=cohort_a).count() == 1
    assert 'value="night owls"' in response.content.decode()
    assert "already has a circle called" in response.content.decode()


def test_an_unknown_action_changes_nothing(admin_client, cohort_a):
    response = admin_client.post(url("overview", cohort_a.pk), {"action": "drop-tables"})

    assert response.status_code == 302
    assert "Unknown action; nothing was changed." in message_texts(response)


# --- invitations ---------------------------------------------------------------------------------


def invite_data(**changes):
    data = {
        "email": "Nina@Example.test",
        "full_name": "Nina Neu",
        "language": "de",
        "time_zone": "Europe/Vienna",
        "role": "member",
    }
    data.update(changes)
    return data


def test_inviting_one_person_creates_an_invitation_and_queues_the_email(
    admin_client, cohort_a, consultant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(url("invite", cohort_a.pk), invite_data())

    assert response.status_code == 302
    invitation = Invitation.objects.get(cohort=cohort_a)
    assert (invitation.email, invitation.full_name, invitation.language, invitation.time_zone) == (
        "nina@example.test",
        "Nina Neu",
        "de",
        "Europe/Vienna",
    )
    assert invitation.invited_by == consultant
    assert len(callbacks) == 1
    assert "nina@example.test is invited; the email is on its way." in message_texts(response)


def test_inviting_the_same_person_again_refreshes_the_invitation(admin_client, cohort_a):
    admin_client.post(url("invite", cohort_a.pk), invite_data())
    first = Invitation.objects.get()

    response = admin_client.post(url("invite", cohort_a.pk), invite_data(email="nina@example.test"))

    second = Invitation.objects.get()
    assert second.pk == first.pk
    assert second.nonce != first.nonce
    assert any("was already invited" in text for text in message_texts(response))


def test_inviting_someone_already_in_the_cohort_invites_nobody(admin_client, cohort_a):
    add_member(cohort_a, "nina@example.test")

    response = admin_client.post(url("invite", cohort_a.pk), invite_data())

    assert not Invitation.objects.exists()
    assert "nina@example.test is already in this cohort; nobody was invited." in message_texts(response)


def test_a_bad_invitation_keeps_what_was_typed(admin_client, cohort_a):
    response = admin_client.post(url("invite", cohort_a.pk), invite_data(email="nina-at-example"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="nina-at-example"' in html
    assert 'value="Nina Neu"' in html
    assert not Invitation.objects.exists()


def test_the_overview_lists_invitations_with_their_status(admin_client, cohort_a, time_machine):
    now = timezone.now()
    Invitation.objects.create(
        cohort=cohort_a,
        email="p@example.test",
        language="en",
        time_zone="UTC",
        expires_at=now + datetime.timedelta(days=3),
    )
    Invitation.objects.create(
        cohort=cohort_a,
        email="e@example.test",
        language="en",
        time_zone="UTC",
        expires_at=now - datetime.timedelta(days=1),
    )
    Invitation.objects.create(
        cohort=cohort_a, email="a@example.test", language="en", time_zone="UTC", expires_at=now, accepted_at=now
    )

    response = admin_client.get(url("overview", cohort_a.pk))

    statuses = {i.email: i.status for i in response.context["invitations"]}
    assert statuses == {"p@example.test": "pending", "e@example.test": "expired", "a@example.test": "accepted"}
    html = response.content.decode()
    for label in ["Pending", "Expired", "Accepted", "Resend"]:
        assert label in html


def test_resending_an_expired_invitation_gives_it_a_fresh_link(admin_client, cohort_a):
    expired = Invitation.objects.create(
        cohort=cohort_a,
        email="e@example.test",
        language="en",
        time_zone="UTC",
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )

    response = admin_client.post(url("overview", cohort_a.pk), {"action": "resend", "invitation": expired.pk})

    assert response.status_code == 302
    expired.refresh_from_db()
    assert not expired.is_expired
    assert Invitation.objects.count() == 1


def test_an_invitation_of_another_cohort_cannot_be_resent_through_this_one(admin_client, cohort_a, cohort_b):
    other = Invitation.objects.create(
        cohort=cohort_b, email="o@example.test", language="en", time_zone="UTC", expires_at=timezone.now()
    )

    response = admin_client.post(url("overview", cohort_a.pk), {"action": "resend", "invitation": other.pk})

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.is_expired
    assert not Invitation.objects.filter(cohort=cohort_a).exists()


def test_withdrawing_an_invitation_kills_its_link_and_its_queued_email(
    admin_client, client, cohort_a, consultant, django_capture_on_commit_callbacks
):
    from cohorts.invitations import invite
    from mail.models import Delivery

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(cohort_a, email="wrong@example.test", invited_by=consultant).invitation
    link = invitation.accept_path
    assert Delivery.objects.filter(invitation=invitation).exists()
    assert "Withdraw" in admin_client.get(url("overview", cohort_a.pk)).content.decode()

    response = admin_client.post(url("overview", cohort_a.pk), {"action": "withdraw", "invitation": invitation.pk})

    assert response.status_code == 302
    assert "wrong@example.test is withdrawn" in " ".join(message_texts(response))
    assert not Invitation.objects.exists()
    assert not Delivery.objects.exists()  # nothing left to send
    problem = client.get(link)
    assert problem.status_code == 400
    assert "withdrawn" in problem.content.decode()


def test_an_accepted_or_another_cohorts_invitation_cannot_be_withdrawn(admin_client, cohort_a, cohort_b):
    accepted = Invitation.objects.create(
        cohort=cohort_a,
        email="a@example.test",
        language="en",
        time_zone="UTC",
        expires_at=timezone.now() + datetime.timedelta(days=3),
        accepted_at=timezone.now(),
    )
    other = Invitation.objects.create(
        cohort=cohort_b, email="o@example.test", language="en", time_zone="UTC", expires_at=timezone.now()
    )
    for invitation in (accepted, other):
        response = admin_client.post(url("overview", cohort_a.pk), {"action": "withdraw", "invitation": invitation.pk})
        assert response.status_code == 200
        assert "Nothing was withdrawn." in " ".join(message_texts(response))
    assert Invitation.objects.count() == 2


def test_a_non_staff_facilitator_cannot_withdraw_a_facilitator_invitation(facilitator_client, cohort_a, consultant):
    from cohorts.invitations import invite

    invitation = invite(cohort_a, email="co@example.test", role=Role.FACILITATOR, invited_by=consultant).invitation
    response = facilitator_client.post(
        url("overview", cohort_a.pk), {"action": "withdraw", "invitation": invitation.pk}
    )
    assert response.status_code == 200
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_removing_a_member_says_what_goes_then_removes_them_and_gives_their_readings_to_others(
    admin_client, course_page, django_capture_on_commit_callbacks
):
    world = make_world(course_page)
    leaving, author = world.cleo, world.anna
    piece = writing.get_or_start(author, world.lesson, world.assignment_id)
    piece = writing.save_draft(piece.pk, title="", body="Shared.", base_version=0).submission
    writing.share(piece)
    assert set(piece.peer_reviews.values_list("reviewer", flat=True)) == {world.ben.pk, world.cleo.pk}
    own = writing.get_or_start(leaving, world.lesson, world.assignment_id)
    writing.save_draft(own.pk, title="", body="Mine.", base_version=0)
    writing.respond(piece, leaving, "A response.")
    remove_url = url("remove_member", world.cohort.pk, leaving.pk)
    assert remove_url in admin_client.get(url("overview", world.cohort.pk)).content.decode()

    page = admin_client.get(remove_url).content.decode()
    assert "Their 1 piece of writing in this cohort is deleted" in page
    assert "The 1 response they gave to others stays" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(remove_url)

    assert response.status_code == 302
    assert "Cleo Circle is no longer in Spring leaders." in " ".join(message_texts(response))
    assert not Membership.objects.filter(pk=leaving.pk).exists()
    assert User.objects.filter(pk=leaving.user_id).exists()  # the account stays
    assert piece.responses.get().author_id is None  # "a former member"
    # Cleo's unanswered reading went to nobody else in a circle of three; Ben keeps his.
    assert list(piece.peer_reviews.values_list("reviewer", flat=True)) == [world.ben.pk]


def test_a_member_of_another_cohort_or_a_facilitator_cannot_be_removed_by_a_facilitator(
    facilitator_client, cohort_a, cohort_b, consultant
):
    elsewhere = add_member(cohort_b, "else@example.test")
    assert facilitator_client.get(url("remove_member", cohort_a.pk, elsewhere.pk)).status_code == 404
    assert facilitator_client.post(url("remove_member", cohort_a.pk, elsewhere.pk)).status_code == 404
    co = add_member(cohort_a, "co@example.test", role=Role.FACILITATOR)
    page = facilitator_client.get(url("remove_member", cohort_a.pk, co.pk)).content.decode()
    assert "Only staff can remove a facilitator." in page
    facilitator_client.post(url("remove_member", cohort_a.pk, co.pk))
    assert Membership.objects.filter(pk__in=[elsewhere.pk, co.pk]).count() == 2
    member = add_member(cohort_a, "m@example.test")
    assert facilitator_client.post(url("remove_member", cohort_a.pk, member.pk)).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


# --- hardening: lengths, single lines, visible text, who may invite facilitators ---------


def long_email(length):
    domain = "@example.test"
    return "a" * (length - len(domain)) + domain


@pytest.mark.parametrize("length, accepted", [(253, True), (254, True), (255, False), (256, False), (320, False)])
def test_an_invited_email_must_fit_the_254_character_column(admin_client, cohort_a, length, accepted):
    response = admin_client.post(url("invite", cohort_a.pk), invite_data(email=long_email(length)))

    assert Invitation.objects.filter(cohort=cohort_a).exists() is accepted
    if not accepted:
        assert response.status_code == 200
        assert "at most 254 characters" in response.content.decode()
        assert long_email(length) in response.content.decode()  # what was typed stays in the form


@pytest.mark.parametrize("length, accepted", [(149, True), (150, True), (151, False)])
def test_an_invited_full_name_must_fit_its_column(admin_client, cohort_a, length, accepted):
    response = admin_client.post(url("invite", cohort_a.pk), invite_data(full_name="N" * length))

    assert Invitation.objects.filter(cohort=cohort_a).exists() is accepted
    assert response.status_code == (302 if accepted else 200)


@pytest.mark.parametrize(
    "name",
    ["\u200b\u200b", "\u200b \u200b", "\u0301\u0301", "\u2060\ufeff", "Nina\nNeu", "Nina\x00Neu", "Nina\u2028Neu"],
)
def test_an_invisible_or_multi_line_invited_name_is_refused(admin_client, cohort_a, name):
    response = admin_client.post(url("invite", cohort_a.pk), invite_data(full_name=name))

    assert response.status_code == 200
    assert not Invitation.objects.filter(cohort=cohort_a).exists()


@pytest.mark.parametrize("name", ["Nina Neu", "Zoë O'Neil", "李小龍", 'Q&A "Day" <b>\'s'])
def test_visible_single_line_invited_names_are_fine(admin_client, cohort_a, name):
    assert admin_client.post(url("invite", cohort_a.pk), invite_data(full_name=name)).status_code == 302
    assert Invitation.objects.get(cohort=cohort_a).full_name == name


@pytest.mark.parametrize("length, accepted", [(119, True), (120, True), (121, False)])
def test_a_cohort_name_must_fit_its_column(admin_client, cohort_a, length, accepted):
    response = admin_client.post(url("edit", cohort_a.pk), cohort_form_data(cohort_a, name="C" * length))

    assert response.status_code == (302 if accepted else 200)
    cohort_a.refresh_from_db()
    assert (cohort_a.name == "C" * length) is accepted


@pytest.mark.parametrize(
    "field, value",
    [("name", "Leaders\r\n2026"), ("name", "\u200b"), ("organisation", "Acme\nInc"), ("hashtag", "a\tb")],
)
def test_cohort_names_are_single_line_and_visible_and_the_form_keeps_the_input(admin_client, cohort_a, field, value):
    response = admin_client.post(url("edit", cohort_a.pk), cohort_form_data(cohort_a, **{field: value}))

    assert response.status_code == 200
    cohort_a.refresh_from_db()
    assert getattr(cohort_a, field) != value


def test_an_event_name_with_a_line_break_is_refused(admin_client, cohort_a):
    data = cohort_form_data(
        cohort_a,
        **{
            "events-TOTAL_FORMS": "1",
            "events-0-name": "Town\nhall",
            "events-0-date": "2026-02-02",
            "events-0-hashtag": "TownHall",
            "events-0-id": "",
            "events-0-ORDER": "1",
            "events-0-DELETE": "",
        },
    )

    response = admin_client.post(url("edit", cohort_a.pk), data)

    assert response.status_code == 200
    assert not cohort_a.events.exists()


@pytest.mark.parametrize("name, accepted", [("Circle one", True), ("Circle\none", False), ("\u200b", False)])
def test_a_circle_name_is_single_line_and_visible(admin_client, cohort_a, name, accepted):
    admin_client.post(url("overview", cohort_a.pk), {"action": "circle", "name": name})

    assert cohort_a.circles.filter(name=name).exists() is accepted


def test_a_non_staff_facilitator_cannot_invite_a_facilitator(facilitator_client, cohort_a):
    page = facilitator_client.get(url("invite", cohort_a.pk))
    assert 'value="facilitator"' not in page.content.decode()

    response = facilitator_client.post(url("invite", cohort_a.pk), invite_data(role="facilitator"))

    assert response.status_code == 200
    assert not Invitation.objects.filter(cohort=cohort_a).exists()


def test_a_non_staff_facilitator_cannot_resend_a_facilitator_invitation(
    facilitator_client, cohort_a, consultant, django_capture_on_commit_callbacks
):
    from cohorts.invitations import invite

    invitation = invite(cohort_a, email="co@example.test", role=Role.FACILITATOR, invited_by=consultant).invitation
    nonce = invitation.nonce

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        facilitator_client.post(url("overview", cohort_a.pk), {"action": "resend", "invitation": invitation.pk})

    invitation.refresh_from_db()
    assert invitation.nonce == nonce
    assert callbacks == []


def test_staff_invite_facilitators(admin_client, cohort_b):
    assert admin_client.post(url("invite", cohort_b.pk), invite_data(role="facilitator")).status_code == 302
    assert Invitation.objects.get(cohort=cohort_b).role == Role.FACILITATOR


def test_the_invite_rule_refuses_a_facilitator_invited_by_a_non_staff_user(cohort_a, facilitator):
    from cohorts.invitations import InviteNotAllowed, invite

    with pytest.raises(InviteNotAllowed):
        invite(cohort_a, email="co@example.test", role=Role.FACILITATOR, invited_by=facilitator)
    assert invite(cohort_a, email="m@example.test", role=Role.MEMBER, invited_by=facilitator).status == "created"


def test_deleting_a_cohort_first_says_how_much_writing_goes_with_it(admin_client, cohort_a, course_page):
    lesson = make_lesson(course_page, "Who am I")
    block_id = lesson.writing_assignments[0][0]
    for name in ("anna", "ben"):
        membership = add_member(cohort_a, f"{name}@example.com")
        SubmissionFactory(membership=membership, lesson=lesson, assignment_id=block_id)
    add_member(cohort_a, "cleo@example.com")

    page = admin_client.get(url("delete", cohort_a.pk)).content.decode()

    assert "Its 3 memberships go with it, and with them 2 pieces of writing" in page
    assert "This cannot be undone" in page
    empty = make_cohort(course_page, "Empty")
    assert "and its 0 memberships? This cannot be undone." in admin_client.get(url("delete", empty.pk)).content.decode()


# --- lesson dates -------------------------------------------------------------------------------


def lesson_date_data(cohort, lesson, opens_on):
    return cohort_form_data(
        cohort,
        **{
            "lesson_dates-TOTAL_FORMS": "1",
            "lesson_dates-0-lesson": lesson.pk,
            "lesson_dates-0-opens_on": opens_on,
            "lesson_dates-0-ORDER": "1",
            "lesson_dates-0-DELETE": "",
            "lesson_dates-0-id": "",
        },
    )


def test_a_lesson_date_for_a_lesson_of_the_cohorts_course_is_saved(admin_client, cohort_a, course_page):
    lesson = make_lesson(course_page, "Who am I")
    response = admin_client.post(url("edit", cohort_a.pk), lesson_date_data(cohort_a, lesson, "2026-01-14"))
    assert response.status_code == 302
    assert list(cohort_a.lesson_dates.values_list("lesson", "opens_on")) == [(lesson.pk, datetime.date(2026, 1, 14))]


def test_a_lesson_date_for_another_courses_lesson_is_refused_with_a_message_and_the_form_kept(
    admin_client, cohort_a, course_page
):
    other_course = make_course(course_page.get_parent().specific, title="Speaking", slug="speaking")
    stranger = make_lesson(other_course, "On stage")
    response = admin_client.post(url("edit", cohort_a.pk), lesson_date_data(cohort_a, stranger, "2026-01-14"))
    assert response.status_code == 200
    assert "is not a lesson of" in response.content.decode()
    assert 'value="2026-01-14"' in response.content.decode()
    assert not cohort_a.lesson_dates.exists()
