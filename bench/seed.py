"""The bench's data: the course once (into the template database), then per benchmark the people
and their writing, loaded with PostgreSQL's COPY (100,000 users and memberships in seconds).

Run inside the bench process after django.setup(), against the bench database.
"""

import datetime
import random
from collections import defaultdict

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from course.timezones import AVAILABLE_ZONES, zone_named

PASSWORD_UNUSABLE = "!"  # noqa: S105 - an unusable hash: nobody logs in with a password here
WEEK = datetime.timedelta(days=7)


# --- loading fast --------------------------------------------------------------------------------


def copy_objects(model, objects):
    """INSERT unsaved model instances with COPY; defaults (tokens, timestamps) are filled in as
    save() would. Returns the new ids in insertion order (for models with an auto id)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            now = timezone.now()
            for obj in objects:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model meta
        before = cursor.fetchone()[0]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields])
        cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [before])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def analyze():
    """Fresh planner statistics after a bulk load, as a database in production would have."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the template database: the course --------------------------------------------------------------


def build_template(assignments_needed):
    """Migrate, then the demo course (its lessons repeated until there are `assignments_needed`
    writing assignments), its videos and cover image, and B3's baseline page with the body of
    lesson 1."""
    from demo import demo_cohort, demo_content
    from demo.management.commands.seed_demo import home_page, seed_course, seed_lesson

    call_command("migrate", interactive=False, verbosity=0)
    seeded = seed_course()
    course = seeded.course.obj
    cover = seeded.cover_image.obj
    demo_cohort.seed_video_embeds(demo_content.video_urls())
    lessons = [lesson.obj for lesson in seeded.lessons]
    assignments = sum(len(lesson.writing_assignments) for lesson in lessons)
    part = 1
    while assignments < assignments_needed:
        part += 1
        for data in demo_content.LESSONS:
            copy = {**data, "title": f"{data['title']} ({part})", "slug": f"{data['slug']}-{part}"}
            lesson = seed_lesson(course, copy, len(lessons), cover).obj
            lessons.append(lesson)
            assignments += len(lesson.writing_assignments)
            if assignments >= assignments_needed:
                break
    add_baseline_page(home_page(), lessons[0])
    Group.objects.get(name="Facilitators")  # from cohorts' data migration; B3's facilitator joins it
    return {"lessons": len(lessons), "assignments": assignments}


def add_baseline_page(home, lesson):
    from .models import BaselinePage

    page = BaselinePage(title=lesson.title, slug="bench-baseline", body=lesson.body.raw_data)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def course_and_lessons():
    from course.models import CoursePage

    course = CoursePage.objects.get()
    return course, course.lessons


# --- people ------------------------------------------------------------------------------------------


def zones_at(now, count, *, daytime):
    """`count` IANA zones spread over as many UTC offsets as possible. With `daytime`, only zones
    where it is 07:00–18:59 at `now`: the quiet hours (20:00–07:00) would hold nudges back."""
    by_offset = defaultdict(list)
    for name in sorted(AVAILABLE_ZONES):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/")):
            continue
        local = now.astimezone(zone_named(name))
        if daytime and not 7 <= local.hour <= 18:
            continue
        by_offset[local.utcoffset()].append(name)
    chosen = []
    while len(chosen) < count and any(by_offset.values()):
        for offset in sorted(by_offset):
            if by_offset[offset] and len(chosen) < count:
                chosen.append(by_offset[offset].pop(0))
    return chosen


def make_cohorts(course, specs):
    """specs: [(name, start_date, end_date)] → Cohort objects."""
    from cohorts.models import Cohort

    return [
        Cohort.objects.create(course=course, name=name, start_date=start, end_date=end, time_zone="Europe/Berlin")
        for name, start, end in specs
    ]


def add_members(cohort_for, count, *, prefix, zone_for, slot_for, frequency_for=None, role="member"):
    """`count` users with one membership each, by COPY. The callables get the member's index."""
    from cohorts.models import Frequency, Membership
    from course.models import User

    zones = [zone_for(index) for index in range(count)]
    user_ids = copy_objects(
        User,
        [
            User(
                email=f"{prefix}{index}@bench.invalid",
                full_name=f"Member {prefix}{index}",
                time_zone=zones[index],
                password=PASSWORD_UNUSABLE,
                language="en",
            )
            for index in range(count)
        ],
    )
    memberships = []
    for index, user_id in enumerate(user_ids):
        weekday, hour = slot_for(index)
        memberships.append(
            Membership(
                user_id=user_id,
                cohort_id=cohort_for(index).pk,
                role=role,
                language="en",
                time_zone=zones[index],
                nudge_weekday=weekday,
                nudge_hour=hour,
                nudge_frequency=frequency_for(index) if frequency_for else Frequency.WEEKLY,
            )
        )
    return copy_objects(Membership, memberships)


def local_slot(now, zone):
    local = now.astimezone(zone_named(zone))
    return local.weekday(), local.hour


def fanout_cohorts(course, lessons, members, today):
    """Cohorts for a weekly-nudge fan-out: half running (lesson 2 opened three days ago, so no
    lesson or due-date email joins the nudges), half alumni who chose weekly nudges."""
    count = max(1, min(10, members // 2000))
    running_start = today - datetime.timedelta(days=10)
    specs = []
    for index in range(count):
        if index % 2 == 0:
            specs.append((f"Running {index}", running_start, running_start + WEEK * (len(lessons) + 1)))
        else:
            start = today - WEEK * (len(lessons) + 8)
            specs.append((f"Alumni {index}", start, start + WEEK * (len(lessons) + 1)))
    return make_cohorts(course, specs)


def seed_fanout(members, zone_count, now):
    """B1/B4: `members` memberships in `zone_count` daytime zones, every one due at `now`."""
    course, lessons = course_and_lessons()
    cohorts = fanout_cohorts(course, lessons, members, now.date())
    zones = zones_at(now, zone_count, daytime=True)
    slots = {zone: local_slot(now, zone) for zone in zones}
    add_members(
        lambda i: cohorts[i % len(cohorts)],
        members,
        prefix="f",
        zone_for=lambda i: zones[i % len(zones)],
        slot_for=lambda i: slots[zones[i % len(zones)]],
    )
    analyze()
    return {"cohorts": len(cohorts), "zones": len(zones)}


def seed_tick(members, zone_count, now, cohort_count=20):
    """B2: `members` memberships in `zone_count` zones (day and night) and a fixed number of
    cohorts, so that two sizes differ only in rows; 1 in 24 is due at `now`, the others chose
    another weekday."""
    from cohorts.models import Frequency

    course, lessons = course_and_lessons()
    today = now.date()
    specs = []
    for index in range(cohort_count):
        if index % 2 == 0:
            start = today - datetime.timedelta(days=10 + index)
            specs.append((f"Running {index}", start, start + WEEK * (len(lessons) + 1)))
        else:
            start = today - WEEK * (len(lessons) + 4 + index)
            specs.append((f"Alumni {index}", start, start + WEEK * (len(lessons) + 1)))
    cohorts = make_cohorts(course, specs)
    zones = zones_at(now, zone_count, daytime=False)
    slots = {zone: local_slot(now, zone) for zone in zones}

    def slot_for(index):
        weekday, hour = slots[zones[index % len(zones)]]
        if index % 24 == 0:
            return weekday, hour
        return (weekday + 1 + index % 6) % 7, hour

    add_members(
        lambda i: cohorts[(i // 24) % len(cohorts)],
        members,
        prefix="t",
        zone_for=lambda i: zones[i % len(zones)],
        slot_for=slot_for,
        frequency_for=lambda i: Frequency.WEEKLY if i % 3 else Frequency.MONTHLY,
    )
    analyze()
    return {"cohorts": len(cohorts), "zones": len(zones), "due": len(range(0, members, 24))}


# --- B3: a cohort's writing circle --------------------------------------------------------------------

PIECE_TEXT = (
    "Last week I tried something new in our leadership meeting: I asked before I answered.\n\n"
    "It felt slow at first. Then the quietest person in the room said what everyone was thinking, and "
    "the meeting changed. **Listening is a skill, not a mood.**\n\n"
    "What I want to try next:\n\n- one question before every answer\n- a short note after each meeting\n"
    "- reading three replies before writing my own\n\n"
    "I am curious what you would add. [More on this](https://example.com/notes) in my notes."
)


def seed_circle(members, pieces, responses, now):
    """B3: one running cohort with every lesson open, `members` members in circles of five, a
    facilitator, `pieces` shared pieces spread evenly over the members and assignments, and
    `responses` responses from circle-mates. Returns what the pages need."""
    from cohorts.models import Circle, Membership, Role
    from course.models import User
    from lessons.models import Feedback, PeerReview, PostLog, ReadMarker, Response, Submission, renew_latest_feedback
    from lessons.rendering import plain_excerpt

    course, lessons = course_and_lessons()
    slots = [(lesson, block_id, value) for lesson in lessons for block_id, value in lesson.writing_assignments]
    per_member = -(-pieces // members)
    if per_member > len(slots):
        raise ValueError(
            f"{pieces} pieces for {members} members need {per_member} assignments; the course has {len(slots)}"
        )
    start = now.date() - WEEK * len(lessons) - datetime.timedelta(days=1)
    (cohort,) = make_cohorts(course, [("Writing circle", start, start + WEEK * (len(lessons) + 2))])
    circles = copy_objects(Circle, [Circle(cohort=cohort, name=f"Circle {n + 1}") for n in range(-(-members // 5))])
    member_ids = add_members(
        lambda i: cohort,
        members,
        prefix="c",
        zone_for=lambda i: ("Europe/Berlin", "Europe/London", "America/New_York")[i % 3],
        slot_for=lambda i: (i % 5, 9),
    )
    Membership.objects.bulk_update(
        [Membership(pk=pk, circle_id=circles[index // 5]) for index, pk in enumerate(member_ids)], ["circle"]
    )
    facilitator = User.objects.create_user(
        email="facilitator@bench.invalid", full_name="Fiona Facilitator", password=None, time_zone="Europe/Berlin"
    )
    facilitator.groups.add(Group.objects.get(name="Facilitators"))
    Membership.objects.create(
        user=facilitator, cohort=cohort, role=Role.FACILITATOR, language="en", time_zone="Europe/Berlin"
    )

    rng = random.Random(8)
    shared_from = timezone.now() - WEEK * len(lessons)
    submissions = []
    owners = []
    for index in range(pieces):
        member_index = index % members
        lesson, block_id, value = slots[index // members]
        state = "published" if index % 10 == 0 else "shared"
        shared_at = shared_from + datetime.timedelta(seconds=rng.randrange(int((WEEK * len(lessons)).total_seconds())))
        submissions.append(
            Submission(
                membership_id=member_ids[member_index],
                lesson_id=lesson.pk,
                assignment_id=block_id,
                assignment_title=value["title"][:150],
                title=f"Piece {index + 1}: what I learned this week",
                body=(body := f"Week {index // members + 1}, piece {index + 1}. " + PIECE_TEXT),
                excerpt=plain_excerpt(body),
                version=1 + index % 3,
                state=state,
                visibility=("circle", "circle", "circle", "cohort", "facilitator")[index % 5],
                revision_count=index % 3,
                shared_at=shared_at,
                published_at=shared_at + datetime.timedelta(days=2) if state == "published" else None,
            )
        )
        owners.append(member_index)
    submission_ids = copy_objects(Submission, submissions)

    def circle_mates(member_index):
        first = member_index - member_index % 5
        return [i for i in range(first, min(first + 5, members)) if i != member_index]

    response_rows, review_rows = [], []
    for n in range(responses):
        piece = n % pieces
        mates = circle_mates(owners[piece]) or [owners[piece]]
        author = mates[(n // pieces) % len(mates)]
        response_rows.append(
            Response(
                submission_id=submission_ids[piece],
                author_id=member_ids[author],
                body="Thank you. What stayed with me: the question before the answer. I would read more about it.",
                created_at=submissions[piece].shared_at + datetime.timedelta(hours=1 + n % 48),
            )
        )
    for piece, submission_id in enumerate(submission_ids):
        for reviewer in circle_mates(owners[piece])[:2]:
            done = (piece + reviewer) % 20 != 0
            review_rows.append(
                PeerReview(
                    submission_id=submission_id,
                    reviewer_id=member_ids[reviewer],
                    assigned_at=submissions[piece].shared_at,
                    responded_at=submissions[piece].shared_at + datetime.timedelta(hours=3) if done else None,
                )
            )
    copy_objects(Response, response_rows)
    copy_objects(PeerReview, review_rows)
    copy_objects(
        Feedback,
        [
            Feedback(
                submission_id=submission_id,
                author_id=facilitator.pk,
                body="Clear and honest. Shorten the second paragraph.",
                verdict="ready" if piece % 2 else "revise",
                version=submissions[piece].version,
                created_at=submissions[piece].shared_at + datetime.timedelta(days=1),
            )
            for piece, submission_id in enumerate(submission_ids)
            if piece % 5  # one piece in five still waits for feedback
        ],
    )
    renew_latest_feedback(submission_ids)  # COPY wrote them without Feedback.save
    copy_objects(
        PostLog,
        [
            PostLog(
                membership_id=submissions[piece].membership_id,
                submission_id=submission_id,
                url=f"https://www.linkedin.com/posts/{submission_id}",
                platform="linkedin",
                posted_on=submissions[piece].published_at.date(),
            )
            for piece, submission_id in enumerate(submission_ids)
            if submissions[piece].state == "published"
        ],
    )
    viewer = member_ids[0]
    copy_objects(
        ReadMarker,
        [
            ReadMarker(membership_id=viewer, submission_id=submission_id, read_at=timezone.now())
            for piece, submission_id in enumerate(submission_ids)
            if piece % 3 == 0
        ],
    )
    analyze()
    member = Membership.objects.select_related("user").get(pk=viewer)
    return {
        "cohort": cohort,
        "member": member.user,
        "facilitator": facilitator,
        "lesson": lessons[0],
        "lessons": len(lessons),
        "circles": len(circles),
    }


def session_cookie(user):
    """A signed-in session for `user`, stored like a login stores it (no password involved)."""
    from importlib import import_module

    from django.conf import settings

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    backends = settings.AUTHENTICATION_BACKENDS
    backend = next((b for b in backends if b.endswith("ModelBackend")), backends[-1])
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
