"""The release schedule: local hours across DST, per-cohort dates, due dates, boundary moments.

The test TIME_ZONE is Asia/Tokyo; every expectation here is stated in the cohort's own zone.
"""

import datetime
import zoneinfo

import pytest
import time_machine

from cohorts.models import Cohort, LessonDate
from cohorts.schedule import Schedule
from tests.factories import make_lesson

# Six weekly lessons from Monday 2 March 2026: New York switches to daylight time on 8 March,
# Berlin on 29 March, Kathmandu (+05:45) never.
START = datetime.date(2026, 3, 2)
WEEKS = 6


@pytest.fixture
def lessons(course_page):
    return [make_lesson(course_page, f"Lesson {n}", offset=n) for n in range(WEEKS)]


def cohort_in(course, zone, **extra):
    return Cohort.objects.create(
        course=course,
        name=f"Cohort in {zone}",
        start_date=START,
        end_date=START + datetime.timedelta(weeks=WEEKS + 2),
        time_zone=zone,
        release_hour=8,
        **extra,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "offsets"),
    [
        ("Europe/Berlin", {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}),
        ("America/New_York", {datetime.timedelta(hours=-5), datetime.timedelta(hours=-4)}),
        ("Asia/Kathmandu", {datetime.timedelta(hours=5, minutes=45)}),
    ],
)
def test_a_lesson_opens_at_the_same_local_hour_every_week_across_dst(course_page, lessons, zone, offsets):
    tz = zoneinfo.ZoneInfo(zone)
    schedule = Schedule.for_cohort(cohort_in(course_page, zone))
    local = [slot.opens_at.astimezone(tz) for slot in schedule.slots]
    assert [moment.date() for moment in local] == [START + datetime.timedelta(weeks=n) for n in range(WEEKS)]
    assert {(moment.hour, moment.minute) for moment in local} == {(8, 0)}
    # The UTC instant moves with the clock change (where there is one): a fixed offset would not.
    assert {moment.utcoffset() for moment in local} == offsets


@pytest.mark.django_db
def test_moving_one_lesson_for_a_cohort_moves_that_lesson_only(course_page, lessons):
    cohort = cohort_in(course_page, "Europe/Berlin")
    other = cohort_in(course_page, "Europe/Berlin")
    before = [slot.opens_at for slot in Schedule.for_cohort(cohort).slots]
    LessonDate.objects.create(cohort=cohort, lesson=lessons[2], opens_on=datetime.date(2026, 3, 18))

    after = [slot.opens_at for slot in Schedule.for_cohort(cohort).slots]
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert after[2] == datetime.datetime(2026, 3, 18, 8, 0, tzinfo=berlin)
    assert after[:2] == before[:2]
    assert after[3:] == before[3:]
    assert [slot.opens_at for slot in Schedule.for_cohort(other).slots] == before
    # Its assignment moves with it.
    due = Schedule.for_cohort(cohort).slots[2].assignments[0].due_at
    assert due == datetime.datetime(2026, 3, 21, 23, 59, tzinfo=berlin)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kathmandu"])
def test_assignments_are_due_at_the_end_of_the_local_day(course_page, lessons, zone):
    tz = zoneinfo.ZoneInfo(zone)
    schedule = Schedule.for_cohort(cohort_in(course_page, zone))
    for slot in schedule.slots:
        (assignment,) = slot.assignments
        due = assignment.due_at.astimezone(tz)
        # make_lesson's assignments are due three days after the lesson opens.
        assert due.date() == slot.opens_at.astimezone(tz).date() + datetime.timedelta(days=3)
        assert (due.hour, due.minute) == (23, 59)


@pytest.mark.django_db
def test_open_lessons_current_and_next_opening_switch_exactly_at_the_release_moment(course_page, lessons):
    schedule = Schedule.for_cohort(cohort_in(course_page, "America/New_York"))
    # Lesson 3 opens Monday 16 March at 08:00 in New York (12:00 UTC, 21:00 in Tokyo).
    opens = datetime.datetime(2026, 3, 16, 8, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    minute = datetime.timedelta(minutes=1)

    with time_machine.travel(opens - minute, tick=False):
        assert [slot.number for slot in schedule.open_lessons()] == [1, 2]
        assert schedule.current().number == 2
        assert schedule.next_opening().number == 3
        assert schedule.progress() == (2, WEEKS)
        assert not schedule.is_open(lessons[2])

    with time_machine.travel(opens, tick=False):
        assert schedule.current().number == 3

    with time_machine.travel(opens + minute, tick=False):
        assert [slot.number for slot in schedule.open_lessons()] == [1, 2, 3]
        assert schedule.current().number == 3
        assert schedule.next_opening().number == 4
        assert schedule.is_open(lessons[2])


@pytest.mark.django_db
def test_before_the_start_nothing_is_open_and_after_the_last_lesson_nothing_is_next(course_page, lessons):
    schedule = Schedule.for_cohort(cohort_in(course_page, "Europe/Berlin"))
    first = schedule.slots[0].opens_at
    last = schedule.slots[-1].opens_at
    minute = datetime.timedelta(minutes=1)

    with time_machine.travel(first - minute, tick=False):
        assert schedule.open_lessons() == []
        assert schedule.current() is None
        assert schedule.next_opening().number == 1

    with time_machine.travel(last + minute, tick=False):
        assert schedule.current().number == WEEKS
        assert schedule.next_opening() is None
        assert schedule.progress() == (WEEKS, WEEKS)


@pytest.mark.django_db
def test_due_soon_lists_open_assignments_until_one_minute_past_their_due_moment(course_page, lessons):
    schedule = Schedule.for_cohort(cohort_in(course_page, "Asia/Kathmandu"))
    first_due = schedule.slots[0].assignments[0].due_at  # Thursday 5 March, 23:59 in Kathmandu
    minute = datetime.timedelta(minutes=1)

    with time_machine.travel(first_due - minute, tick=False):
        assert [a.title for a in schedule.due_soon()] == ["Write about Lesson 0"]
    with time_machine.travel(first_due + minute, tick=False):
        assert schedule.due_soon() == []


def test_a_schedule_reads_the_assignments_without_loading_the_lessons_images(
    course_page, django_assert_num_queries, settings, tmp_path
):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    from lessons.models import LessonPage

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (20, 10)).save(buffer, format="PNG")
    image = get_image_model().objects.create(title="Cover", file=ImageFile(buffer, name="cover.png"))
    assignment = {
        "title": "Write it", "prompt": "Write.", "guidance": "", "format": "short_280",
        "suggested_length": 50, "due_offset_days": 3, "default_audience": "circle",
    }  # fmt: skip
    make_lesson(
        course_page,
        "Pictures",
        body=[("image", {"image": image, "alt_text": "A cover", "caption": ""}), ("writing_assignment", assignment)],
    )
    lesson = LessonPage.objects.get(title="Pictures")  # as every schedule loads it: body not converted yet
    # Converting the whole body would fetch the image: every page that shows a schedule paid that
    # per lesson.
    with django_assert_num_queries(0):
        [(block_id, value)] = lesson.writing_assignments
    assert block_id and value["title"] == "Write it" and value.format_label


@pytest.mark.django_db
def test_a_schedule_converts_an_assignment_only_when_its_words_are_asked(course_page, lessons):
    schedule = Schedule.for_cohort(cohort_in(course_page, "Europe/Berlin"))
    (assignment,) = schedule.slots[0].assignments

    assert assignment.title == "Write about Lesson 0"
    assert assignment.due_at == datetime.datetime(2026, 3, 5, 23, 59, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    # Titles and due days come from the raw body: converting every assignment of the course (its
    # choice fields above all) was most of the time of a schedule, which every member page builds.
    assert not any("writing_assignments" in slot.lesson.__dict__ for slot in schedule.slots)
    assert assignment.value["prompt"] == "Write it." and assignment.value.format_label


@pytest.mark.django_db
def test_an_assignment_stored_before_it_had_a_due_day_is_due_as_its_block_says(course_page):
    from lessons.models import LessonPage

    lesson = make_lesson(course_page, "Old", offset=0)
    raw = [dict(block) for block in lesson.body.raw_data]
    raw[1]["value"] = {key: value for key, value in raw[1]["value"].items() if key != "due_offset_days"}
    LessonPage.objects.filter(pk=lesson.pk).update(body=raw)  # as a body saved before the field existed

    (assignment,) = Schedule.for_cohort(cohort_in(course_page, "Europe/Berlin")).slots[0].assignments
    _block_id, value = LessonPage.objects.get(pk=lesson.pk).writing_assignments[0]
    assert value["due_offset_days"] == 5  # the block's default
    assert assignment.due_at.date() == START + datetime.timedelta(days=5)
