"""The facilitator's cohort dashboard (progress matrix, quiet members, listening,
feedback queue, cadence), its CSV exports and the consultant's home panel in the Wagtail admin."""

import csv
import datetime
import io
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Membership, Role
from course.models import User
from lessons.admin_views import queue
from lessons.changes import writing_changed
from lessons.models import Feedback, PostLog, Response, Submission, SubmissionState
from mail.digest import cohort_digest
from progress.dashboard import Status, build_dashboard, home_panel_rows
from tests.factories import CircleFactory, PublicationFactory, ReplyFactory, make_cohort, make_lesson, make_members

BERLIN = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=BERLIN)  # a Friday in the cohort's third week


def assignment(title):
    return (
        "writing_assignment",
        {
            "title": title,
            "prompt": "Write it.",
            "guidance": "<p>Short.</p>",
            "format": "short_280",
            "suggested_length": 50,
            "due_offset_days": 3,
            "default_audience": "circle",
        },
    )


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def lessons(course_page):
    """Lesson 1 (opened 2 Nov) has two assignments; lesson 2 opened 9 Nov; lesson 3 opens 7 Dec."""
    return [
        make_lesson(course_page, "Who am I", offset=0, body=[assignment("First"), assignment("Second")]),
        make_lesson(course_page, "My voice", offset=1),
        make_lesson(course_page, "Later", offset=5),
    ]


@pytest.fixture
def cohort(course_page, lessons, now):
    return make_cohort(course_page, "Führungsteam", organisation="Acme")


@pytest.fixture
def other_cohort(course_page, lessons, now):
    return make_cohort(course_page, "Other team", organisation="Globex")


def blocks(lesson):
    return [block_id for block_id, _value in lesson.writing_assignments]


def piece(member, lesson, block_id, state=SubmissionState.DRAFT, version=1, shared_at=None, **extra):
    if state != SubmissionState.DRAFT and shared_at is None:
        shared_at = NOW - datetime.timedelta(days=2)
    return Submission(
        membership=member,
        lesson=lesson,
        assignment_id=block_id,
        title=extra.pop("title", f"{member.user.full_name} on {lesson.title}"),
        body="Text",
        state=state,
        version=version,
        shared_at=shared_at,
        **extra,
    )


def facilitator_of(cohort, email="fritz@klartext.test"):
    user = User.objects.create_user(email=email, password="pw", full_name="Fritz Lang")
    user.groups.add(Group.objects.get(name="Facilitators"))
    Membership.objects.create(user=user, cohort=cohort, role=Role.FACILITATOR, language="en", time_zone="Europe/Berlin")
    return user


def dashboard_url(name, cohort):
    return reverse(f"cohort_admin:{name}", args=[cohort.pk])


def read_csv(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


class TableParser(HTMLParser):
    """The rows (cell texts) of the table with the given id."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_table(response, table_id):
    parser = TableParser(table_id)
    parser.feed(response.content.decode())
    return parser.rows


# --- the rules ----------------------------------------------------------------------------------


# Members who joined before the first lesson: every deadline is theirs to miss.
BEFORE_THE_START = datetime.datetime(2026, 10, 30, 9, tzinfo=BERLIN)


def test_each_cell_shows_the_most_advanced_status_of_the_lessons_assignments(cohort, lessons):
    members = make_members(cohort, 8, joined_at=BEFORE_THE_START)
    first, second = blocks(lessons[0])
    (voice,) = blocks(lessons[1])
    Submission.objects.bulk_create(
        [
            piece(members[1], lessons[0], first),  # draft, saved once
            piece(members[2], lessons[0], first, SubmissionState.SHARED),
            piece(members[3], lessons[0], first, SubmissionState.SHARED, version=2),
            piece(members[4], lessons[0], first, SubmissionState.PUBLISHED),
            piece(members[5], lessons[0], first, version=0),  # editor opened, nothing saved
            piece(members[6], lessons[0], first, SubmissionState.PUBLISHED),  # two assignments:
            piece(members[6], lessons[0], second),  # the most advanced wins
            piece(members[7], lessons[0], first, SubmissionState.SHARED, version=3),
        ]
    )
    by_member = {s.membership_id: s for s in Submission.objects.filter(assignment_id=first)}
    Feedback.objects.create(submission=by_member[members[3].pk], body="Good", verdict="ready", version=2)
    Feedback.objects.create(submission=by_member[members[7].pk], body="Old", verdict="revise", version=2)
    Submission.objects.bulk_create([piece(members[1], lessons[1], voice, SubmissionState.SHARED)])

    dashboard = build_dashboard(cohort)
    cells = {row.membership.pk: row.cells for row in dashboard.rows}

    # Nothing written a week after the due date: missed (lesson 1 was due 5 Nov, lesson 2 on 12 Nov).
    assert cells[members[0].pk] == [Status.MISSED, Status.MISSED, Status.NOT_OPEN]
    assert cells[members[1].pk] == [Status.DRAFT, Status.SHARED, Status.NOT_OPEN]
    assert cells[members[2].pk][0] == Status.SHARED
    assert cells[members[3].pk][0] == Status.FEEDBACK
    assert cells[members[4].pk][0] == Status.PUBLISHED
    assert cells[members[5].pk][0] == Status.MISSED
    assert cells[members[6].pk][0] == Status.PUBLISHED
    assert cells[members[7].pk][0] == Status.SHARED  # feedback was on an older version


def test_an_open_lesson_with_nothing_written_is_overdue_after_its_due_date_and_missed_a_week_later(
    cohort, lessons, time_machine
):
    (member,) = make_members(cohort, 1, joined_at=BEFORE_THE_START)
    due = datetime.datetime(2026, 11, 12, 23, 59, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))  # lesson 2
    (voice,) = blocks(lessons[1])

    def second_lesson(at):
        return build_dashboard(cohort, at).rows[0].cells[1]

    assert second_lesson(due) == Status.OPEN
    assert second_lesson(due + datetime.timedelta(minutes=1)) == Status.OVERDUE
    assert second_lesson(due + datetime.timedelta(days=7) - datetime.timedelta(minutes=1)) == Status.OVERDUE
    assert second_lesson(due + datetime.timedelta(days=7)) == Status.MISSED
    Submission.objects.bulk_create([piece(member, lessons[1], voice)])  # a draft is not "missed"
    assert second_lesson(due + datetime.timedelta(days=7)) == Status.DRAFT


def test_who_joined_after_a_lessons_deadline_is_not_marked_late_for_it(cohort, lessons):
    # Joined on 10 November: lesson 1 was due on 5 November, lesson 2 on 12 November.
    (late,) = make_members(cohort, 1, joined_at=datetime.datetime(2026, 11, 10, 9, tzinfo=BERLIN))
    (early,) = make_members(cohort, 1, joined_at=BEFORE_THE_START, prefix="early")
    cells = {row.membership.pk: row.cells for row in build_dashboard(cohort).rows}
    assert cells[late.pk] == [Status.OPEN, Status.MISSED, Status.NOT_OPEN]
    assert cells[early.pk] == [Status.MISSED, Status.MISSED, Status.NOT_OPEN]


def test_the_matrix_is_paged_and_filtered_by_circle_and_the_csv_stays_complete(admin_client, cohort, lessons):
    members = make_members(cohort, 60)
    blue = CircleFactory(cohort=cohort, name="Blue")
    Membership.objects.filter(pk__in=[m.pk for m in members[:7]]).update(circle=blue)

    first = admin_client.get(dashboard_url("dashboard", cohort))
    second = admin_client.get(dashboard_url("dashboard", cohort) + "?page=2")
    circle = admin_client.get(dashboard_url("dashboard", cohort) + f"?circle={blue.pk}")
    export = admin_client.get(dashboard_url("dashboard_progress_csv", cohort))

    assert len(first.context["dashboard"].rows) == 50 and first.context["dashboard"].member_count == 60
    assert len(second.context["dashboard"].rows) == 10
    assert {row.membership.pk for row in circle.context["dashboard"].rows} == {m.pk for m in members[:7]}
    assert len(read_csv(export)) - 1 == 60
    assert admin_client.get(dashboard_url("dashboard", cohort) + "?page=x").status_code == 200


def test_members_go_quiet_after_two_weeks_without_writing_responding_or_posting(cohort, lessons, now):
    long_ago = now - datetime.timedelta(days=40)
    old, writer, responder, poster, _newcomer = make_members(cohort, 5)
    Membership.objects.filter(pk__in=[old.pk, writer.pk, responder.pk, poster.pk]).update(joined_at=long_ago)
    (first, _second) = blocks(lessons[0])
    Submission.objects.bulk_create(
        [piece(writer, lessons[0], first, SubmissionState.SHARED), piece(old, lessons[0], first)]
    )
    Submission.objects.filter(membership=old).update(updated_at=now - datetime.timedelta(days=15))
    Submission.objects.filter(membership=writer).update(updated_at=now - datetime.timedelta(days=13))
    Response.objects.create(submission=Submission.objects.get(membership=writer), author=responder, body="Yes.")
    post = PostLog.objects.create(membership=poster, url="https://example.com/p", platform="blog", posted_on=now.date())
    PostLog.objects.filter(pk=post.pk).update(created_at=now - datetime.timedelta(days=20))

    dashboard = build_dashboard(cohort, now)

    quiet = {row.membership.pk for row in dashboard.rows if row.quiet}
    assert quiet == {old.pk, poster.pk}
    # The same people as the facilitator's weekly digest names.
    assert sorted(row.name for row in dashboard.quiet) == sorted(cohort_digest(cohort, now)["quiet"])


def test_it_counts_responses_given_and_received_per_member(cohort, lessons):
    anna, ben, cleo = make_members(cohort, 3)
    (first, _second) = blocks(lessons[0])
    Submission.objects.bulk_create(
        [piece(anna, lessons[0], first, SubmissionState.SHARED), piece(ben, lessons[0], first, SubmissionState.SHARED)]
    )
    annas, bens = Submission.objects.get(membership=anna), Submission.objects.get(membership=ben)
    Response.objects.bulk_create(
        [
            Response(submission=annas, author=ben, body="1"),
            Response(submission=annas, author=cleo, body="2"),
            Response(submission=bens, author=anna, body="3"),
            Response(submission=annas, author=anna, body="my own reply is not listening"),
            Response(submission=bens, author=None, body="from someone who has left the cohort since"),
        ]
    )

    rows = {row.membership.pk: row for row in build_dashboard(cohort).rows}

    assert (rows[anna.pk].responses_given, rows[anna.pk].responses_received) == (2, 2)
    assert (rows[ben.pk].responses_given, rows[ben.pk].responses_received) == (1, 2)
    assert (rows[cleo.pk].responses_given, rows[cleo.pk].responses_received) == (1, 0)


def test_the_feedback_queue_counts_shared_pieces_without_feedback_on_their_current_version(cohort, lessons, now):
    members = make_members(cohort, 4)
    (first, _second) = blocks(lessons[0])
    Submission.objects.bulk_create(
        [
            piece(members[0], lessons[0], first, SubmissionState.SHARED, shared_at=now - datetime.timedelta(days=6)),
            piece(members[1], lessons[0], first, SubmissionState.SHARED, shared_at=now - datetime.timedelta(days=1)),
            piece(members[2], lessons[0], first, SubmissionState.SHARED, shared_at=now - datetime.timedelta(days=9)),
            piece(
                members[3], lessons[0], first, SubmissionState.PUBLISHED, shared_at=now - datetime.timedelta(days=12)
            ),
        ]
    )
    answered = Submission.objects.get(membership=members[2])
    Feedback.objects.create(submission=answered, body="Fine", verdict="ready", version=answered.version)

    dashboard = build_dashboard(cohort, now)

    assert dashboard.queue_count == 2
    assert dashboard.oldest_waiting_days == 6
    assert dashboard.queue_count == cohort_digest(cohort, now)["queue_count"]


def test_the_cadence_chart_counts_pieces_shared_per_iso_week_with_text_labels(
    admin_client, cohort, lessons, now, time_machine
):
    members = make_members(cohort, 3)
    (first, second) = blocks(lessons[0])
    (voice,) = blocks(lessons[1])
    week_two = datetime.datetime(2026, 11, 10, 9, tzinfo=BERLIN)
    Submission.objects.bulk_create(
        [
            piece(members[0], lessons[0], first, SubmissionState.SHARED, shared_at=week_two),
            piece(members[1], lessons[0], first, SubmissionState.SHARED, shared_at=week_two),
            piece(members[2], lessons[0], second, SubmissionState.PUBLISHED, shared_at=now),
            piece(members[0], lessons[1], voice),  # a draft is not shared
        ]
    )

    chart = build_dashboard(cohort, now).cadence

    assert [(bar.label, bar.count) for bar in chart.bars] == [("W45", 0), ("W46", 2), ("W47", 1)]
    assert "W46 (from 9 November 2026): 2 pieces" in chart.description
    html = admin_client.get(dashboard_url("dashboard", cohort)).content.decode()
    start = html.index('<svg class="kt-chart"')
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert re.search(r">\s*W46\s*<", svg) and re.search(r">\s*2\s*<", svg)


def test_the_cadence_chart_counts_each_piece_in_the_week_of_its_authors_time_zone(cohort, lessons, now):
    (berliner,) = make_members(cohort, 1, zones=("Europe/Berlin",), prefix="berlin")
    (londoner,) = make_members(cohort, 1, zones=("Europe/London",), prefix="london")
    (first, _second) = blocks(lessons[0])
    # Sunday 23:30 in London is already Monday 00:30 in Berlin: two different ISO weeks.
    moment = datetime.datetime(2026, 11, 15, 23, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    Submission.objects.bulk_create(
        [
            piece(berliner, lessons[0], first, SubmissionState.SHARED, shared_at=moment),
            piece(londoner, lessons[0], first, SubmissionState.SHARED, shared_at=moment),
        ]
    )

    chart = build_dashboard(cohort, now).cadence

    assert [(bar.label, bar.count) for bar in chart.bars] == [("W45", 0), ("W46", 1), ("W47", 1)]
    assert chart.total == 2


def test_the_digest_counts_only_members_pieces_as_waiting_for_feedback(cohort, lessons, now):
    (member,) = make_members(cohort, 1)
    facilitator = Membership.objects.get(user=facilitator_of(cohort))
    (first, _second) = blocks(lessons[0])
    members_moment = now - datetime.timedelta(days=2)
    Submission.objects.bulk_create(
        [
            piece(member, lessons[0], first, SubmissionState.SHARED, shared_at=members_moment),
            # A facilitator trying the editor out shares a piece too: nobody waits for it.
            piece(facilitator, lessons[0], first, SubmissionState.SHARED, shared_at=now - datetime.timedelta(days=9)),
        ]
    )

    digest = cohort_digest(cohort, now)

    assert digest["queue_count"] == 1
    assert digest["oldest_waiting_since"] == members_moment


def test_the_feedback_queue_dashboard_home_panel_and_digest_agree_on_who_waits_and_who_is_quiet(
    cohort, other_cohort, lessons, now
):
    long_ago = now - datetime.timedelta(days=40)
    anna, ben, cleo, dora = make_members(cohort, 4)
    (olga,) = make_members(other_cohort, 1, prefix="o")
    Membership.objects.filter(pk__in=[anna.pk, ben.pk, dora.pk]).update(joined_at=long_ago)
    fritz = facilitator_of(cohort)
    facilitator = Membership.objects.get(user=fritz)
    (first, second) = blocks(lessons[0])
    (voice,) = blocks(lessons[1])
    days = datetime.timedelta(days=1)
    Submission.objects.bulk_create(
        [
            piece(anna, lessons[0], first, SubmissionState.SHARED, shared_at=now - 5 * days),  # waits
            piece(anna, lessons[1], voice, SubmissionState.SHARED, version=2, shared_at=now - 8 * days),  # revised
            piece(ben, lessons[0], first, SubmissionState.SHARED, shared_at=now - 7 * days),  # answered
            piece(ben, lessons[0], second, SubmissionState.PUBLISHED, shared_at=now - 20 * days),
            piece(cleo, lessons[0], first),  # a draft
            piece(facilitator, lessons[0], first, SubmissionState.SHARED, shared_at=now - 30 * days),
            piece(olga, lessons[0], first, SubmissionState.SHARED, shared_at=now - 30 * days),
        ]
    )
    revised = Submission.objects.get(membership=anna, assignment_id=voice)
    answered = Submission.objects.get(membership=ben, assignment_id=first)
    Feedback.objects.create(submission=revised, body="Before the revision", verdict="revise", version=1)
    Feedback.objects.create(submission=answered, body="Good", verdict="ready", version=answered.version)
    Submission.objects.filter(membership__in=[anna, dora]).update(updated_at=now - 20 * days)
    Response.objects.create(submission=answered, author=anna, body="Yes.")  # anna listened today
    expected = [revised.pk, Submission.objects.get(membership=anna, assignment_id=first).pk]

    dashboard = build_dashboard(cohort, now)
    digest = cohort_digest(cohort, now)
    (panel,) = home_panel_rows(fritz, now)

    assert [piece.pk for piece in queue(fritz)] == expected
    assert [piece.pk for piece in dashboard.queue] == expected
    assert digest["queue_count"] == panel.waiting_count == dashboard.queue_count == 2
    assert digest["oldest_waiting_since"] == dashboard.oldest_waiting_since == now - 8 * days
    assert panel.oldest_waiting.pk == revised.pk
    assert sorted(row.name for row in dashboard.quiet) == sorted(digest["quiet"]) == [dora.user.full_name]


# --- the page and its exports -------------------------------------------------------------------


def populate(cohort, lessons, members):
    (first, second) = blocks(lessons[0])
    (voice,) = blocks(lessons[1])
    states = [SubmissionState.DRAFT, SubmissionState.SHARED, SubmissionState.PUBLISHED]
    Submission.objects.bulk_create(
        [piece(m, lessons[0], first, states[i % 3]) for i, m in enumerate(members)]
        + [piece(m, lessons[1], voice, SubmissionState.SHARED) for m in members[::2]]
        + [piece(m, lessons[0], second) for m in members[1::3]]
    )
    shared = list(Submission.objects.filter(membership__in=members, state=SubmissionState.SHARED))
    Feedback.objects.bulk_create(
        [Feedback(submission=s, body="ok", verdict="ready", version=s.version) for s in shared[::2]]
    )
    Response.objects.bulk_create(
        [Response(submission=s, author=members[(i + 1) % len(members)], body="!") for i, s in enumerate(shared)]
    )
    PostLog.objects.bulk_create(
        [PostLog(membership=m, url="https://example.com/", platform="blog", posted_on=NOW.date()) for m in members[::5]]
    )
    for submission in Submission.objects.filter(membership__in=members[::4], state=SubmissionState.PUBLISHED):
        talk(submission)


def talk(submission, answered=True):
    """The piece posted on a network, someone replied, and (if `answered`) the member answered."""
    reply = ReplyFactory(publication=PublicationFactory(submission=submission))
    if answered:
        ReplyFactory(publication=reply.publication, parent_id=reply.remote_id, by_member=True, author_handle="@me")
    return reply.publication


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["dashboard", "dashboard_progress_csv", "dashboard_summary_csv"])
def test_dashboard_and_exports_use_a_constant_number_of_queries_for_10_and_200_members(
    admin_client, cohort, lessons, name, django_assert_num_queries
):
    url = dashboard_url(name, cohort)
    members = make_members(cohort, 10)
    populate(cohort, lessons, members)
    admin_client.get(url)  # warm-up: session, site, permissions
    writing_changed()  # measured: the dashboard built, not read from the cache
    with_ten = count_queries(admin_client, url)

    populate(cohort, lessons, make_members(cohort, 190, prefix="more"))
    admin_client.get(url)
    writing_changed()  # bulk inserts send no signals; and again built, not read
    with django_assert_num_queries(with_ten):
        response = admin_client.get(url)
    rows = len(read_csv(response)) - 1 if name != "dashboard" else response.context["dashboard"].member_count
    assert rows == 200
    print(f"{name}: {with_ten} queries for 10 and for 200 members")  # noqa: T201


def test_the_dashboard_page_is_kept_until_something_written_changes(admin_client, cohort, lessons):
    url = dashboard_url("dashboard", cohort)
    anna, ben = make_members(cohort, 2)
    (first, _second) = blocks(lessons[0])
    Submission.objects.bulk_create([piece(anna, lessons[0], first, SubmissionState.SHARED)])
    writing_changed()
    built = count_queries(admin_client, url)
    kept = count_queries(admin_client, url)
    assert kept < built

    Response.objects.create(submission=Submission.objects.get(membership=anna), author=ben, body="Yes.")
    response = admin_client.get(url)
    assert {row.membership.pk: row.responses_given for row in response.context["dashboard"].rows}[ben.pk] == 1


def test_building_the_dashboard_takes_nine_queries(cohort, lessons, django_assert_num_queries):
    populate(cohort, lessons, make_members(cohort, 30))
    cohort = type(cohort).objects.select_related("course").get(pk=cohort.pk)
    build_dashboard(cohort)  # the course's lessons, loaded once per course page object
    # Date overrides, members, responses (given and received), last activity, pieces, the
    # feedback queue, pieces shared per week, conversations started and replies answered.
    with django_assert_num_queries(9):
        build_dashboard(cohort)


def test_the_summary_csv_has_one_row_per_member_with_the_same_figures_as_the_page(admin_client, cohort, lessons):
    members = make_members(cohort, 12)
    populate(cohort, lessons, members)
    User.objects.filter(pk=members[0].user_id).update(full_name="Jörg Müller-Weiß")

    page = admin_client.get(dashboard_url("dashboard", cohort))
    export = admin_client.get(dashboard_url("dashboard_summary_csv", cohort))

    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export["Content-Disposition"] == 'attachment; filename="fuhrungsteam-summary-2026-11-20.csv"'
    header, *rows = read_csv(export)
    assert header == [
        "Name",
        "Email",
        "Pieces shared",
        "Published",
        "Responses given",
        "Responses received",
        "Conversations started",
        "Replies answered",
        "Last activity",
        "Quiet (14+ days)",
    ]
    table = page_table(page, "member-summary")
    assert table[0] == header
    assert len(rows) == len(members) == len(table) - 1
    assert rows == table[1:]
    assert ["Jörg Müller-Weiß", members[0].user.email] == rows[0][:2]
    assert any(row[2] != "0" for row in rows) and any(row[4] != "0" for row in rows)


def test_the_summary_counts_conversations_started_and_replies_answered_on_the_networks(admin_client, cohort, lessons):
    anna, ben, cleo = make_members(cohort, 3)
    (first, second) = blocks(lessons[0])
    Submission.objects.bulk_create(
        [piece(m, lessons[0], block, SubmissionState.PUBLISHED) for m in (anna, ben) for block in (first, second)]
    )
    annas, annas_second = Submission.objects.filter(membership=anna).order_by("pk")
    talk(annas)  # answered, and she answered back
    talk(annas_second, answered=False)  # answered; she has not replied yet
    bens = Submission.objects.filter(membership=ben).first()
    quiet = PublicationFactory(submission=bens)  # posted, nobody answered: no conversation
    ReplyFactory(publication=quiet, by_member=True, author_handle="@ben")  # his own follow-up is none either

    header, *rows = read_csv(admin_client.get(dashboard_url("dashboard_summary_csv", cohort)))
    table = page_table(admin_client.get(dashboard_url("dashboard", cohort)), "member-summary")

    columns = header.index("Conversations started"), header.index("Replies answered")
    figures = {row[1]: [row[i] for i in columns] for row in rows}
    assert figures == {anna.user.email: ["2", "1"], ben.user.email: ["0", "0"], cleo.user.email: ["0", "0"]}
    assert {row[1]: [row[i] for i in columns] for row in table[1:]} == figures  # the page says the same


def test_the_progress_csv_has_a_status_label_per_member_and_lesson(admin_client, cohort, lessons):
    members = make_members(cohort, 3)
    populate(cohort, lessons, members)

    export = admin_client.get(dashboard_url("dashboard_progress_csv", cohort))

    assert export["Content-Disposition"].startswith('attachment; filename="fuhrungsteam-progress-')
    header, *rows = read_csv(export)
    assert header == ["Name", "Email", "1. Who am I", "2. My voice", "3. Later"]
    assert len(rows) == 3
    expected = {row.email: [str(cell.label) for cell in row.cells] for row in build_dashboard(cohort).rows}
    assert {row[1]: row[2:] for row in rows} == expected
    assert rows[0][2:] == ["Draft", "Shared", "Not open"]


def test_exported_names_cannot_become_spreadsheet_formulas(admin_client, cohort, lessons):
    (member,) = make_members(cohort, 1)
    User.objects.filter(pk=member.user_id).update(full_name="=HYPERLINK(1)")

    _header, row = read_csv(admin_client.get(dashboard_url("dashboard_summary_csv", cohort)))

    assert row[0] == "'=HYPERLINK(1)"


# --- who sees what ------------------------------------------------------------------------------


def test_a_facilitator_sees_her_cohorts_dashboard_and_gets_404_for_another(client, cohort, other_cohort, lessons):
    client.force_login(facilitator_of(cohort))

    assert client.get(dashboard_url("dashboard", cohort)).status_code == 200
    for name in ("dashboard", "dashboard_progress_csv", "dashboard_summary_csv"):
        assert client.get(dashboard_url(name, other_cohort)).status_code == 404


def test_staff_see_every_cohorts_dashboard(admin_client, cohort, other_cohort, lessons):
    for target in (cohort, other_cohort):
        assert admin_client.get(dashboard_url("dashboard", target)).status_code == 200


def test_the_overview_and_the_list_link_to_the_dashboard(admin_client, cohort, lessons):
    url = dashboard_url("dashboard", cohort)

    assert url in admin_client.get(dashboard_url("overview", cohort)).content.decode()
    assert url in admin_client.get(reverse("cohort_admin:index")).content.decode()


def test_the_page_shows_no_follower_like_or_view_counts(admin_client, cohort, lessons):
    populate(cohort, lessons, make_members(cohort, 3))
    admin_client.force_login(facilitator_of(cohort))

    html = admin_client.get(dashboard_url("dashboard", cohort)).content.decode().lower()
    home = admin_client.get(reverse("wagtailadmin_home")).content.decode().lower()

    assert "conversations started" in html  # the networks are counted, by conversations only
    for word in ("follower", "likes", "views", "reposts", "impressions"):
        assert word not in html
        assert word not in home


# --- the consultant's home panel ----------------------------------------------------------------


def test_the_home_panel_lists_only_her_cohorts_with_this_weeks_activity(client, cohort, other_cohort, lessons, now):
    members = make_members(cohort, 3)
    (first, _second) = blocks(lessons[0])
    Submission.objects.bulk_create(
        [
            piece(members[0], lessons[0], first, SubmissionState.SHARED, shared_at=now - datetime.timedelta(days=3)),
            piece(members[1], lessons[0], first, SubmissionState.SHARED, shared_at=now - datetime.timedelta(days=10)),
        ]
    )
    oldest = Submission.objects.get(membership=members[1])
    Response.objects.create(submission=oldest, author=members[2], body="Good")
    make_members(other_cohort, 2, prefix="o")
    client.force_login(facilitator_of(cohort))

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Your cohorts" in html
    assert "Führungsteam" in html and "Other team" not in html
    assert dashboard_url("dashboard", cohort) in html
    assert reverse("lessons_feedback:piece", args=[oldest.pk]) in html
    (row,) = home_panel_rows(facilitator_of(other_cohort, "olga@klartext.test"), now)
    assert row.cohort == other_cohort
    (row,) = home_panel_rows(User.objects.get(email="fritz@klartext.test"), now)
    assert (row.shared_this_week, row.responses_this_week, row.waiting_count) == (1, 1, 2)
    assert row.oldest_waiting.pk == oldest.pk and row.oldest_waiting_days == 10


def test_the_home_panel_stays_hidden_for_someone_without_cohorts(client, cohort, lessons):
    user = User.objects.create_user(email="ed@klartext.test", password="pw", full_name="Ed")
    user.groups.add(Group.objects.get(name="Facilitators"))
    client.force_login(user)

    assert "Your cohorts" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_home_panel_uses_the_same_number_of_queries_for_3_and_30_cohorts(
    admin_client, course_page, lessons, now, django_assert_num_queries
):
    def add_cohorts(start, count):
        for index in range(start, start + count):
            target = make_cohort(course_page, f"Team {index}")
            populate(target, lessons, make_members(target, 3, prefix=f"c{index}-"))

    add_cohorts(0, 3)
    admin_client.get(reverse("wagtailadmin_home"))
    with_three = count_queries(admin_client, reverse("wagtailadmin_home"))

    add_cohorts(3, 27)
    admin_client.get(reverse("wagtailadmin_home"))
    with django_assert_num_queries(with_three):
        html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Team 29" in html
    print(f"admin home: {with_three} queries for 3 and for 30 cohorts")  # noqa: T201


def test_every_exported_cell_is_formula_guarded_header_cells_too():
    from progress.dashboard_views import csv_response

    response = csv_response("x.csv", ["=HYPERLINK(1)", "Name", " +1"], [["-2", "@sum", "ok", 3]])
    rows = read_csv(response)

    assert rows == [["'=HYPERLINK(1)", "Name", "' +1"], ["'-2", "'@sum", "ok", "3"]]


def test_at_a_glance_says_how_many_of_the_courses_lessons_are_open(admin_client, cohort, lessons):
    html = admin_client.get(dashboard_url("dashboard", cohort)).content.decode()
    glance = html[html.index('class="kt-glance"') :]
    assert re.search(r"Running, 2 of 3 lessons open", glance)
    assert "<function" not in html and "lambda" not in html
