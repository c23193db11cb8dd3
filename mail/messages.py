"""Each Delivery's email, built from fresh database state a batch at a time.

BatchContext loads what a batch of deliveries needs with a fixed number of queries per kind
(never one per message), then builds each message in the recipient's language, with a stable
Message-ID and the one-click unsubscribe headers (mail.tokens). The templates are rendered by
mail.emails.
"""

import datetime
from collections import defaultdict
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from cohorts.models import CohortEvent, Membership, Role
from cohorts.schedule import Schedule
from course.timezones import week_start
from course.translations import Translations, content_language, default_language
from lessons.activity import is_quiet, last_activity_in
from lessons.feedback import waiting_for_feedback
from lessons.models import Feedback, LessonPage, PostLog, Submission

from . import meetups
from .emails import build_message
from .models import Kind
from .notes import load_notes, reply_to, who_is_stuck
from .replies import WRITING_KINDS, bounce_address, headers_for, read_draft_saved_variant
from .tokens import unsubscribe_url


class Skip(Exception):
    """The delivery is not to be sent (any more): the reason is recorded on its row."""


def message_id(delivery):
    """Stable per delivery: a receiver (or our test sink) can tell a resend from a new email."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "klartext"
    return f"<delivery-{delivery.pk}@{host}>"


def unsubscribe_headers(delivery):
    if delivery.membership_id is None:
        return {}
    url = unsubscribe_url(delivery.membership_id, delivery.kind)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


class BatchContext:
    def __init__(self, deliveries, now):
        self.now = now
        self.deliveries = deliveries
        by_kind = defaultdict(set)
        for delivery in deliveries:
            if delivery.subject_id is not None:
                by_kind[delivery.kind].add(delivery.subject_id)
        self._lessons = self._load_lessons(by_kind[Kind.LESSON_RELEASED] | by_kind[Kind.ASSIGNMENT_DUE])
        self._submissions = self._load_submissions(
            by_kind[Kind.FEEDBACK_READY] | by_kind[Kind.PEER_REVIEW] | by_kind[Kind.DRAFT_SAVED]
        )
        self._events = self._load_events(by_kind[Kind.EVENT_KIT] | by_kind[Kind.EVENT_INVITATION])
        self._notes = load_notes(by_kind[Kind.PERSONAL_NOTE] | by_kind[Kind.GROUP_MESSAGE])
        self._organizers = {}
        # Headers and parts a kind adds to its message (Reply-To, a calendar invitation).
        self.extra_headers = {}
        self.attachments = {}
        self._posted = self._load_posted([d.membership_id for d in deliveries if d.kind == Kind.WEEKLY_NUDGE])
        self._schedules = {}
        self._shown = {}
        self._shown_schedules = {}
        self._digests = {}
        self._lesson_urls = {}
        # Variants decided while building, recorded with the outcome (no extra write per message).
        self.variants = {}

    # -- loading ---------------------------------------------------------------------------------

    def _load_lessons(self, ids):
        return {lesson.pk: lesson for lesson in LessonPage.objects.filter(pk__in=ids)} if ids else {}

    def _load_submissions(self, ids):
        if not ids:
            return {}
        return {
            s.pk: s
            for s in Submission.objects.filter(pk__in=ids)
            .select_related("membership__user", "lesson")
            .prefetch_related("feedback", "responses")
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

    # -- rules -----------------------------------------------------------------------------------

    def build(self, delivery, connection):
        if delivery.kind == Kind.INVITATION:
            return self._invitation(delivery, connection)
        # Whether the member still wants it is the claim's question (mail.sending.claim), asked
        # in the statement that takes the row, not here from what the batch loaded at its start.
        membership = delivery.membership
        builder = getattr(self, f"_{delivery.kind}")
        name, context = builder(delivery, membership)
        context.update(
            {
                "membership": membership,
                "user": membership.user,
                "cohort": membership.cohort,
                "course": self.shown(membership.cohort, membership.language)(membership.cohort.course),
                "site_url": settings.SITE_URL,
                "preferences_url": settings.SITE_URL + "/preferences/",
                "reply_invited": delivery.kind in WRITING_KINDS,
            }
        )
        headers = {
            "Message-ID": message_id(delivery),
            **unsubscribe_headers(delivery),
            **headers_for(delivery, self.now),
            # Last: a kind's own Reply-To (the facilitator, an event's organizer) wins.
            **self.extra_headers.pop(delivery.pk, {}),
        }
        message = build_message(
            name,
            context,
            to=membership.user.email,
            language=membership.language,
            headers=headers,
            connection=connection,
            envelope_from=bounce_address(delivery),
        )
        for part in self.attachments.pop(delivery.pk, ()):
            message.attach(part)
        return message

    def _invitation(self, delivery, connection):
        invitation = delivery.invitation
        if invitation.accepted_at is not None:
            raise Skip("The invitation was accepted meanwhile.")
        context = {
            "invitation": invitation,
            "cohort": invitation.cohort,
            "course": self.shown(invitation.cohort, invitation.language)(invitation.cohort.course),
            "accept_url": f"{settings.SITE_URL}{invitation.accept_path}",
            "inviter": invitation.invited_by,
        }
        return build_message(
            "invitation",
            context,
            to=invitation.email,
            language=invitation.language,
            headers={"Message-ID": message_id(delivery)},
            connection=connection,
            envelope_from=bounce_address(delivery),
        )

    # -- kinds -----------------------------------------------------------------------------------

    def _local_week(self, membership):
        monday = week_start(self.now.astimezone(membership.zone).date())
        return monday, monday + datetime.timedelta(days=6)

    def _weekly_nudge(self, delivery, membership):
        schedule = self.shown_schedule(membership)
        current = schedule.current(self.now)
        prompt = None
        if current and current.assignments:
            prompt = current.assignments[0].value["prompt"]
        monday, sunday = self._local_week(membership)
        posted = any(monday <= day <= sunday for day in self._posted.get(membership.pk, ()))
        self.variants[delivery.pk] = "posted" if posted else "standard"
        return "weekly_nudge", {
            "posted_this_week": posted,
            "lesson": current.lesson if current else None,
            "lesson_url": self.lesson_url(current.lesson) if current else None,
            "prompt": prompt,
        }

    def _alumni_nudge(self, delivery, membership):
        return "alumni_nudge", {}

    def _lesson_released(self, delivery, membership):
        lesson = self._lessons.get(delivery.subject_id)
        if lesson is None:
            raise Skip("The lesson no longer exists.")
        lesson = self.shown(membership.cohort, membership.language)(lesson)
        return "lesson_released", {"lesson": lesson, "lesson_url": self.lesson_url(lesson)}

    def _assignment_due(self, delivery, membership):
        lesson = self._lessons.get(delivery.subject_id)
        block_id = delivery.period_key.removeprefix("due:")
        slot = self.shown_schedule(membership).slot(lesson) if lesson else None
        assignment = next((a for a in slot.assignments if a.block_id == block_id), None) if slot else None
        if assignment is None:
            raise Skip("The assignment no longer exists.")
        lesson = slot.lesson
        return "assignment_due", {
            "lesson": lesson,
            "assignment": assignment,
            "due_at": assignment.due_at,
            "lesson_url": self.lesson_url(lesson),
        }

    def _feedback_ready(self, delivery, membership):
        submission = self._submissions.get(delivery.subject_id)
        if submission is None:
            raise Skip("The piece no longer exists.")
        feedback = max(submission.feedback.all(), key=lambda f: f.created_at, default=None)
        return "feedback_ready", {"submission": submission, "feedback": feedback}

    def _peer_review(self, delivery, membership):
        submission = self._submissions.get(delivery.subject_id)
        if submission is None:
            raise Skip("The piece no longer exists.")
        if any(response.author_id == membership.pk for response in submission.responses.all()):
            raise Skip("The reader has responded meanwhile.")
        return "peer_review", {"submission": submission, "author": submission.membership.user}

    def _event_kit(self, delivery, membership):
        event = self._events.get(delivery.subject_id)
        if event is None:
            raise Skip("The event no longer exists.")
        return "event_kit", {"event": event, "phase": delivery.variant}

    def _self_check(self, delivery, membership):
        url = f"{settings.SITE_URL}{reverse('progress:self_check')}?cohort={membership.cohort_id}"
        return "self_check", {"self_check_url": url, "year": delivery.period_key.removeprefix("self-check:")}

    def _not_paused(self, membership):
        if membership.paused_until and membership.paused_until >= membership.local_today(self.now):
            raise Skip("The member paused.")

    def _note(self, delivery, membership):
        self._not_paused(membership)
        note = self._notes.get(delivery.subject_id)
        if note is None:
            raise Skip("The note no longer exists.")
        self.extra_headers[delivery.pk] = reply_to(note)
        return delivery.kind, {"note": note}

    _personal_note = _note
    _group_message = _note

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

    def _event_invitation(self, delivery, membership):
        self._not_paused(membership)
        event = self._events.get(delivery.subject_id)
        if event is None:
            raise Skip("The event no longer exists.")
        if meetups.is_superseded(delivery, event):
            raise Skip("The event changed again; the newer invitation is sent instead.")
        organizer = self.organizer(event.cohort)
        self.extra_headers[delivery.pk] = {"Reply-To": organizer}
        self.attachments[delivery.pk] = [meetups.calendar_part(delivery, membership, event, organizer)]
        return "event_invitation", meetups.invitation_context(delivery, membership, event)

    def _draft_saved(self, delivery, membership):
        submission = self._submissions.get(delivery.subject_id)
        if submission is None:
            raise Skip("The piece no longer exists.")
        compare, attachments_dropped = read_draft_saved_variant(delivery.variant)
        editor_url = settings.SITE_URL + reverse("lessons:editor", args=[submission.pk])
        if compare:
            editor_url += f"?compare={compare}"
        return "draft_saved", {
            "submission": submission,
            "editor_url": editor_url,
            "changed_meanwhile": compare is not None,
            "attachments_dropped": attachments_dropped,
        }

    def _facilitator_digest(self, delivery, membership):
        cohort = membership.cohort
        if cohort.pk not in self._digests:
            self._digests[cohort.pk] = cohort_digest(cohort, self.now)
        return "facilitator_digest", {"digest": self._digests[cohort.pk]}


DIGEST_STUCK_ROWS = 15


def cohort_digest(cohort, now):
    """Who wrote, who published, who has gone quiet (2+ weeks), and the feedback queue."""
    week_ago = now - datetime.timedelta(days=7)
    members = list(
        Membership.objects.filter(cohort=cohort, role=Role.MEMBER)
        .select_related("user")
        .annotate(
            wrote=Count("submissions", filter=Q(submissions__updated_at__gte=week_ago), distinct=True),
            published=Count("posts", filter=Q(posts__created_at__gte=week_ago), distinct=True),
        )
    )
    last_activity = last_activity_in(cohort)
    queue = waiting_for_feedback(Submission.objects.filter(membership__cohort=cohort)).order_by("shared_at")
    oldest = queue.first()
    return {
        # First: who is stuck and on what (lessons.stuck), the page's rows.
        "stuck": who_is_stuck(cohort, now)[:DIGEST_STUCK_ROWS],
        "stuck_url": settings.SITE_URL + reverse("cohort_admin:stuck", args=[cohort.pk]),
        "wrote": [m.user.full_name for m in members if m.wrote],
        "published": [m.user.full_name for m in members if m.published],
        "quiet": [m.user.full_name for m in members if is_quiet(m, last_activity.get(m.pk), now)],
        "queue_count": queue.count(),
        "oldest_waiting_since": oldest.shared_at if oldest else None,
        "feedback_given": Feedback.objects.filter(
            submission__membership__cohort=cohort, created_at__gte=week_ago
        ).count(),
    }
