"""What the emails of one batch read, loaded with a fixed number of queries per kind (never one
per message): the lessons, pieces, events and notes the deliveries name, the posts behind the
weekly nudge's variant, and per cohort its schedule, translations, organizer and digest."""

import datetime
from collections import defaultdict
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Prefetch

from cohorts.models import CohortEvent, Membership, Role
from cohorts.schedule import Schedule
from course.translations import Translations, content_language, default_language
from lessons.models import LessonPage, PostLog, Response, Submission

from .digest import cohort_digest
from .models import Kind
from .notes import load_notes


class BatchData:
    def __init__(self, deliveries, now):
        self.now = now
        by_kind = defaultdict(set)
        for delivery in deliveries:
            if delivery.subject_id is not None:
                by_kind[delivery.kind].add(delivery.subject_id)
        self.lessons = self._load_lessons(by_kind[Kind.LESSON_RELEASED] | by_kind[Kind.ASSIGNMENT_DUE])
        self.submissions = self._load_submissions(
            by_kind[Kind.FEEDBACK_READY]
            | by_kind[Kind.PEER_REVIEW]
            | by_kind[Kind.PEER_RESPONDED]
            | by_kind[Kind.DRAFT_SAVED]
        )
        self.events = self._load_events(by_kind[Kind.EVENT_KIT] | by_kind[Kind.EVENT_INVITATION])
        self.notes = load_notes(by_kind[Kind.PERSONAL_NOTE] | by_kind[Kind.GROUP_MESSAGE])
        self.posted = self._load_posted([d.membership_id for d in deliveries if d.kind == Kind.WEEKLY_NUDGE])
        self._organizers = {}
        self._schedules = {}
        self._shown = {}
        self._shown_schedules = {}
        self._digests = {}
        self._lesson_urls = {}

    def _load_lessons(self, ids):
        return {lesson.pk: lesson for lesson in LessonPage.objects.filter(pk__in=ids)} if ids else {}

    def _load_submissions(self, ids):
        if not ids:
            return {}
        return {
            s.pk: s
            for s in Submission.objects.filter(pk__in=ids)
            .select_related("membership__user", "lesson")
            .prefetch_related("feedback", Prefetch("responses", Response.objects.select_related("author__user")))
        }

    def _load_events(self, ids):
        return {e.pk: e for e in CohortEvent.objects.filter(pk__in=ids).select_related("cohort")} if ids else {}

    def _load_posted(self, membership_ids):
        """Per member, the local dates of public posts in the last 8 days (for the adaptive nudge)."""
        if not membership_ids:
            return {}
        posted = defaultdict(set)
        since = (self.now - datetime.timedelta(days=8)).date()
        for membership_id, day in PostLog.objects.filter(
            membership_id__in=membership_ids, posted_on__gte=since
        ).values_list("membership_id", "posted_on"):
            posted[membership_id].add(day)
        return posted

    def lesson_url(self, lesson):
        """Absolute, once per lesson and batch: Wagtail resolves a page URL through the site root
        paths in the cache (a Redis round trip in production) on every call."""
        if lesson.pk not in self._lesson_urls:
            self._lesson_urls[lesson.pk] = settings.SITE_URL + lesson.url
        return self._lesson_urls[lesson.pk]

    def schedule(self, cohort):
        if cohort.pk not in self._schedules:
            self._schedules[cohort.pk] = Schedule.for_cohort(cohort)
        return self._schedules[cohort.pk]

    def shown(self, cohort, language):
        """The cohort's course and lessons as a reader of `language` sees them: the translations
        are loaded once per cohort and language in a batch (none for the default language)."""
        key = (cohort.pk, language)
        if key not in self._shown:
            pages = [cohort.course]
            if content_language(language) != default_language():  # else nothing to load
                pages += [slot.lesson for slot in self.schedule(cohort).slots]
            self._shown[key] = Translations(pages, language)
        return self._shown[key]

    def shown_schedule(self, membership):
        key = (membership.cohort_id, membership.language)
        if key not in self._shown_schedules:
            shown = self.shown(membership.cohort, membership.language)
            self._shown_schedules[key] = self.schedule(membership.cohort).shown_with(shown)
        return self._shown_schedules[key]

    def organizer(self, cohort):
        """The address an event invitation names as organizer: a facilitator of the cohort, else
        the sender's address (one query per cohort in a batch)."""
        if cohort.pk not in self._organizers:
            facilitator = (
                Membership.objects.filter(cohort=cohort, role=Role.FACILITATOR)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._organizers[cohort.pk] = (
                facilitator.user.email if facilitator else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
            )
        return self._organizers[cohort.pk]

    def digest(self, cohort):
        """The facilitator digest of the cohort, gathered once per cohort in a batch."""
        if cohort.pk not in self._digests:
            self._digests[cohort.pk] = cohort_digest(cohort, self.now)
        return self._digests[cohort.pk]
