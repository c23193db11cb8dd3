"""A piece's teaser is stored when its text is saved, so the feed never renders Markdown."""

import pytest

from lessons import writing
from lessons.models import Submission
from lessons.rendering import EXCERPT_CHARS, plain_excerpt
from tests.factories import make_cohort, make_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece(course_page):
    membership = make_members(make_cohort(course_page), 1)[0]
    return Submission.objects.create(membership=membership, assignment_id="a-1", assignment_title="First")


def test_saving_a_draft_stores_the_plain_teaser_of_the_new_text(piece):
    writing.save_draft(piece.pk, title="T", body="**Bold** and [a link](https://example.com).", base_version=0)

    piece.refresh_from_db()
    assert piece.excerpt == "Bold and a link."


def test_a_conflicting_save_leaves_the_stored_teaser_alone(piece):
    writing.save_draft(piece.pk, title="T", body="Kept text.", base_version=0)
    result = writing.save_draft(piece.pk, title="T", body="Lost race.", base_version=0)

    piece.refresh_from_db()
    assert not result.ok
    assert piece.excerpt == "Kept text."


def test_a_long_text_is_shortened_and_markup_never_survives(piece):
    body = "# Heading\n\n<script>alert(1)</script> " + "word " * 400
    writing.save_draft(piece.pk, title="T", body=body, base_version=0)

    piece.refresh_from_db()
    assert len(piece.excerpt) <= EXCERPT_CHARS
    assert "<" not in piece.excerpt and "script" not in piece.excerpt.lower()
    assert piece.excerpt.endswith("…")


def test_saving_the_text_through_the_orm_renews_the_teaser(piece):
    piece.body = "_New_ text"
    piece.save(update_fields=["body"])

    piece.refresh_from_db()
    assert piece.excerpt == plain_excerpt("_New_ text") == "New text"
