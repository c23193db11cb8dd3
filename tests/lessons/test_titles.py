"""Assignment titles in feeds and the editor follow the reader's language where a translation exists."""

import pytest

from lessons.models import Submission
from lessons.titles import assignment_title, assignment_titles
from tests.factories import MembershipFactory, make_cohort, make_lesson, translate_page


@pytest.fixture
def lessons(home_page, course_page):
    translate_page(home_page, "de")
    translate_page(course_page, "de")
    translated = make_lesson(course_page, "Who am I")
    english_only = make_lesson(course_page, "Finding your voice", offset=1)
    block_id = translated.writing_assignments[0][0]
    translate_page(translated, "de", title="Wer bin ich?", assignment_titles={block_id: "Schreiben Sie über sich"})
    return translated, english_only


def piece(membership, lesson):
    block_id, value = lesson.writing_assignments[0]
    return Submission.objects.create(
        membership=membership, lesson=lesson, assignment_id=block_id, assignment_title=value["title"]
    )


@pytest.mark.django_db
def test_an_assignment_title_follows_the_readers_language_where_the_lesson_is_translated(course_page, lessons):
    translated, english_only = lessons
    member = MembershipFactory(cohort=make_cohort(course_page))
    mine, other = piece(member, translated), piece(member, english_only)
    assert assignment_title(mine, "de") == "Schreiben Sie über sich"
    assert assignment_title(mine, "en") == "Write about Who am I"
    # Not translated: the source wording, never an empty title.
    assert assignment_title(other, "de") == "Write about Finding your voice"


@pytest.mark.django_db
def test_assignment_titles_of_a_feed_page_cost_one_query(course_page, lessons, django_assert_num_queries):
    translated, english_only = lessons
    cohort = make_cohort(course_page)
    pieces = [piece(MembershipFactory(cohort=cohort), lesson) for lesson in (translated, english_only) * 5]
    fetched = list(
        Submission.objects.filter(pk__in=[p.pk for p in pieces]).only("lesson_id", "assignment_id", "assignment_title")
    )
    with django_assert_num_queries(1):
        titles = assignment_titles(fetched, "de")
    assert sorted(set(titles.values())) == ["Schreiben Sie über sich", "Write about Finding your voice"]
    with django_assert_num_queries(0):
        assignment_titles(fetched, "en")
