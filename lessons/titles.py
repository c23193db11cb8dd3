"""Lesson and assignment titles in the reader's language: the one rule for feeds, the editor,
"My writing" and every other list of pieces.

A piece of writing points to its source lesson and the writing assignment's block id; the stored
`Submission.assignment_title` is the source wording at the time the piece was started. Where the
lesson has a live translation in the reader's language that still holds the assignment (same
block id), its title is shown; otherwise the stored title.
"""

from django.db.models import OuterRef, Subquery

from course.translations import content_language, default_language

from .models import LessonPage


def lesson_translations(lesson_ids, language=None):
    """{source lesson id: its live translation in `language`} for the lessons that have one.
    One query; none in the default language or for no lessons."""
    language = content_language(language)
    lesson_ids = {pk for pk in lesson_ids if pk}
    if not lesson_ids or language == default_language():
        return {}
    sources = LessonPage.objects.filter(pk__in=lesson_ids)
    found = (
        LessonPage.objects.live()
        .filter(locale__language_code=language, translation_key__in=sources.values("translation_key"))
        .annotate(source_id=Subquery(sources.filter(translation_key=OuterRef("translation_key")).values("pk")[:1]))
    )
    return {lesson.source_id: lesson for lesson in found}


def assignment_titles(pieces, language=None):
    """{piece pk: the piece's assignment title in `language`} for pieces of writing (anything
    with `pk`, `lesson_id`, `assignment_id` and `assignment_title`). One query for any number of
    pieces, none in the default language."""
    pieces = list(pieces)
    translated = lesson_translations((piece.lesson_id for piece in pieces), language)
    titles = {}
    for piece in pieces:
        title = piece.assignment_title
        lesson = translated.get(piece.lesson_id)
        value = lesson.assignment(piece.assignment_id) if lesson is not None else None
        if value is not None and value["title"]:
            title = value["title"]
        titles[piece.pk] = title
    return titles


def assignment_title(piece, language=None):
    """One piece's assignment title in `language` (see `assignment_titles`)."""
    return assignment_titles([piece], language)[piece.pk]


def with_assignment_titles(pieces, language=None):
    """The pieces, each with `shown_assignment_title` set, for templates. One query."""
    pieces = list(pieces)
    titles = assignment_titles(pieces, language)
    for piece in pieces:
        piece.shown_assignment_title = titles[piece.pk]
    return pieces
