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
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from cohorts.models import CohortEvent, Membership, Role
from cohorts.schedule import Schedule
from course.names import short_name_from
from course.timezones import week_start
from course.translations import Translations, content_language, default_language
from lessons.activity import is_quiet, last_activity_in
from lessons.feedback import waiting_for_feedback
from lessons.models import Feedback, LessonPage, PostLog, Response, Submission
from lessons.rendering import plain_excerpt

from . import meetups
from .emails import build_message, render_subject
from .models import OPTIONAL_KINDS, Kind
from .notes import load_notes, reply_to, who_is_stuck
from .replies import WRITING_KINDS, bounce_address, headers_for, read_draft_saved_variant
from .tokens import unsubscribe_url

# Which email leads when several go out as one message: what the member is waiting for first,
# what the course asks of them next, reminders last.
LEAD_ORDER = [
    Kind.FEEDBACK_READY,
    Kind.PEER_RESPONDED,
    Kind.PEER_REVIEW,
    Kind.ASSIGNMENT_DUE,
    Kind.LESSON_RELEASED,
    Kind.WEEKLY_NUDGE,
    Kind.EVENT_KIT,
    Kind.FACILITATOR_DIGEST,
    Kind.SELF_CHECK,
    Kind.ALUMNI_NUDGE,
]
FEEDBACK_QUOTE_CHARS = 300


def lead_rank(kind):
    return LEAD_ORDER.index(kind) if kind in LEAD_ORDER else len(LEAD_ORDER)


def absolute(path):
    """Every link in an email is absolute and starts with SITE_URL (make run derives it from PORT)."""
    return settings.SITE_URL + path


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
            by_kind[Kind.FEEDBACK_READY]
            | by_kind[Kind.PEER_REVIEW]
            | by_kind[Kind.PEER_RESPONDED]
            | by_kind[Kind.DRAFT_SAVED]
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
        # A message that carries several deliveries (mail.coalescing): lead pk → the companions'
        # pks it carries, lead pk → the companions' pks left out of it, and why (pk → reason).
        self.carried = {}
        self.left_out = {}
        self.skipped = {}

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

    # -- rules -----------------------------------------------------------------------------------

    def build(self, delivery, connection, companions=()):
        """The message for `delivery`, and for the companions due for the same person in the same
        slot (mail.coalescing): one email that leads with the most pressing one and lists the
        others. Rows that are not to be sent (any more) are left out and noted in `skipped`;
        Skip when none is left."""
        if delivery.kind == Kind.INVITATION:
            return self._invitation(delivery, connection)
        parts = []
        for row in [delivery, *companions]:
            try:
                parts.append((row, *self.content(row)))
            except Skip as reason:
                self.skipped[row.pk] = str(reason)
        self.left_out[delivery.pk] = [row.pk for row in companions if row.pk in self.skipped]
        if not parts:
            raise Skip(self.skipped[delivery.pk])
        parts.sort(key=lambda part: (lead_rank(part[0].kind), part[0].pk))
        lead, name, context = parts[0]
        membership = lead.membership
        also, seen = [], {(name, context["action_url"])}
        for _row, other_name, other in parts[1:]:
            if (other_name, other["action_url"]) in seen:
                continue  # the same event twice (e.g. two feedback rows on one piece): listed once
            seen.add((other_name, other["action_url"]))
            subject = render_subject(other_name, other, membership.language)
            also.append({"subject": subject, "url": other["action_url"], "label": other["action_label"]})
        kinds = list(dict.fromkeys(row.kind for row, _name, _context in parts))
        context.update(
            {
                "also": also,
                "unsubscribe_links": [
                    {"kind": Kind(kind).label, "url": unsubscribe_url(membership.pk, kind)}
                    for kind in kinds
                    if kind in OPTIONAL_KINDS
                ],
            }
        )
        self.carried[delivery.pk] = [row.pk for row, _name, _context in parts if row.pk != delivery.pk]
        headers = {
            "Message-ID": message_id(delivery),
            **unsubscribe_headers(lead),
            **headers_for(lead, self.now),
            # Last: a kind's own Reply-To (the facilitator, an event's organizer) wins.
            **self.extra_headers.pop(lead.pk, {}),
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
        for part in self.attachments.pop(lead.pk, ()):
            message.attach(part)
        return message

    def content(self, delivery):
        """(template name, context) of one member's delivery; Skip if there is nothing to say.
        Whether the member still wants it is the claim's question (mail.claiming.claim and
        mail.coalescing.claim), asked in the statement that takes the row."""
        membership = delivery.membership
        builder = getattr(self, f"_{delivery.kind}")
        name, context = builder(delivery, membership)
        context.update(
            {
                "membership": membership,
                "user": membership.user,
                "greeting_name": membership.user.get_short_name(),
                "cohort": membership.cohort,
                "course": self.shown(membership.cohort, membership.language)(membership.cohort.course),
                "site_url": settings.SITE_URL,
                "preferences_url": absolute(f"{reverse('mail:preferences')}?cohort={membership.cohort_id}"),
                "reply_invited": delivery.kind in WRITING_KINDS,
            }
        )
        return name, context

    def _invitation(self, delivery, connection):
        invitation = delivery.invitation
        if invitation.accepted_at is not None:
            raise Skip("The invitation was accepted meanwhile.")
        accept_url = absolute(invitation.accept_path)
        context = {
            "invitation": invitation,
            "cohort": invitation.cohort,
            # Worded for where the cohort is: starting on a date, or already running.
            "cohort_state": invitation.cohort.state_at(self.now),
            "course": self.shown(invitation.cohort, invitation.language)(invitation.cohort.course),
            "accept_url": accept_url,
            "action_url": accept_url,
            "action_label": _("Accept the invitation"),
            "greeting_name": short_name_from(invitation.full_name),
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

    # -- kinds: each returns its template and context, with the one place its button leads to --

    def _local_week(self, membership):
        monday = week_start(self.now.astimezone(membership.zone).date())
        return monday, monday + datetime.timedelta(days=6)

    def _start_url(self, membership, assignment):
        """The member's piece for an assignment, started if need be, in the editor."""
        return absolute(
            reverse("lessons:start", args=[membership.cohort_id, assignment.lesson.pk, assignment.block_id])
        )

    def _weekly_nudge(self, delivery, membership):
        schedule = self.shown_schedule(membership)
        current = schedule.current(self.now)
        assignment = current.assignments[0] if current and current.assignments else None
        prompt = assignment.value["prompt"] if assignment else None
        monday, sunday = self._local_week(membership)
        posted = any(monday <= day <= sunday for day in self._posted.get(membership.pk, ()))
        self.variants[delivery.pk] = "posted" if posted else "standard"
        if posted:
            action_url = absolute(reverse("circle:feed", args=[membership.cohort_id]))
            action_label = _("Read your circle")
        elif assignment:
            action_url, action_label = self._start_url(membership, assignment), _("Start writing")
        else:
            action_url, action_label = absolute(reverse("lessons:posts")), _("Write and record a post")
        return "weekly_nudge", {
            "posted_this_week": posted,
            "lesson": current.lesson if current else None,
            "lesson_url": self.lesson_url(current.lesson) if current else None,
            "prompt": prompt,
            "action_url": action_url,
            "action_label": action_label,
        }

    def _alumni_nudge(self, delivery, membership):
        return "alumni_nudge", {
            "action_url": absolute(reverse("circle:feed", args=[membership.cohort_id])),
            "action_label": _("Open your circle"),
        }

    def _lesson_released(self, delivery, membership):
        lesson = self._lessons.get(delivery.subject_id)
        if lesson is None:
            raise Skip("The lesson no longer exists.")
        lesson = self.shown(membership.cohort, membership.language)(lesson)
        return "lesson_released", {
            "lesson": lesson,
            "lesson_url": self.lesson_url(lesson),
            "action_url": self.lesson_url(lesson),
            "action_label": _("Read the lesson"),
        }

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
            "action_url": self._start_url(membership, assignment),
            "action_label": _("Open your draft"),
        }

    def _feedback_ready(self, delivery, membership):
        submission = self._submissions.get(delivery.subject_id)
        if submission is None:
            raise Skip("The piece no longer exists.")
        feedback = max(submission.feedback.all(), key=lambda f: f.created_at, default=None)
        return "feedback_ready", {
            "submission": submission,
            "feedback": feedback,
            "quote": plain_excerpt(feedback.body, FEEDBACK_QUOTE_CHARS) if feedback else "",
            "action_url": absolute(reverse("lessons:editor", args=[submission.pk]) + "#feedback-heading"),
            "action_label": _("Read the feedback"),
        }

    def _peer_review(self, delivery, membership):
        submission = self._submissions.get(delivery.subject_id)
        if submission is None:
            raise Skip("The piece no longer exists.")
        if any(response.author_id == membership.pk for response in submission.responses.all()):
            raise Skip("The reader has responded meanwhile.")
        author = submission.membership.user
        return "peer_review", {
            "submission": submission,
            "author": author,
            "author_name": author.get_short_name() or author.full_name,
            "action_url": absolute(reverse("circle:piece", args=[submission.pk]) + "#response-form"),
            "action_label": _("Read and respond"),
        }

    def _peer_responded(self, delivery, membership):
        submission = self._submissions.get(delivery.subject_id)
        if submission is None or submission.membership_id != membership.pk:
            raise Skip("The piece no longer exists.")
        responders = []
        for response in submission.responses.all():
            name = response.author.user.get_short_name() if response.author else ""
            if response.author_id != membership.pk and name and name not in responders:
                responders.append(name)
        return "peer_responded", {
            "submission": submission,
            "responders": responders,
            "response_count": sum(1 for r in submission.responses.all() if r.author_id != membership.pk),
            "action_url": absolute(reverse("circle:piece", args=[submission.pk]) + "#responses-heading"),
            "action_label": _("Read the responses"),
        }

    def _event_kit(self, delivery, membership):
        event = self._events.get(delivery.subject_id)
        if event is None:
            raise Skip("The event no longer exists.")
        return "event_kit", {
            "event": event,
            "phase": delivery.variant,
            "action_url": meetups.event_url(event),
            "action_label": _("Open the event"),
        }

    def _self_check(self, delivery, membership):
        url = absolute(f"{reverse('progress:self_check')}?cohort={membership.cohort_id}")
        return "self_check", {
            "self_check_url": url,
            "year": delivery.period_key.removeprefix("self-check:"),
            "action_url": url,
            "action_label": _("Start your self-check"),
        }

    def _not_paused(self, membership):
        if membership.paused_until and membership.paused_until >= membership.local_today(self.now):
            raise Skip("The member paused.")

    def _note(self, delivery, membership):
        self._not_paused(membership)
        note = self._notes.get(delivery.subject_id)
        if note is None:
            raise Skip("The note no longer exists.")
        self.extra_headers[delivery.pk] = reply_to(note)
        return delivery.kind, {
            "note": note,
            "action_url": absolute(reverse("progress:cohort_home", args=[membership.cohort_id])),
            "action_label": _("Open your course home"),
        }

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
        context = meetups.invitation_context(delivery, membership, event)
        context.update({"action_url": context["event_url"], "action_label": _("Going? Tell us on the event page")})
        return "event_invitation", context

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
            "action_url": editor_url,
            "action_label": _("Continue writing"),
        }

    def _reconnect_needed(self, delivery, membership):
        # The network's name travels in `variant` (mail sits below publishing and never reads its rows).
        # "linkedin:2027-02-03": a reminder before the token ends on that (local) day.
        key, _sep, ends_on = delivery.variant.partition(":")
        network = {"bluesky": "Bluesky", "mastodon": "Mastodon", "linkedin": "LinkedIn"}.get(key, key)
        return "reconnect_needed", {
            "network": network,
            "ends_on": parse_date(ends_on) if ends_on else None,
            "action_url": absolute(f"{reverse('mail:preferences')}?cohort={membership.cohort_id}"),
            "action_label": _("Open your preferences"),
        }

    def _facilitator_digest(self, delivery, membership):
        cohort = membership.cohort
        if cohort.pk not in self._digests:
            self._digests[cohort.pk] = cohort_digest(cohort, self.now)
        return "facilitator_digest", {
            "digest": self._digests[cohort.pk],
            "action_url": absolute(reverse("lessons_feedback:queue")),
            "action_label": _("Open the feedback queue"),
        }


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
