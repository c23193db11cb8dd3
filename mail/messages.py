"""Each Delivery's email, built from fresh database state a batch at a time.

BatchContext loads what a batch of deliveries needs once (mail.batch_data), asks each kind for its
content (mail.contents), joins what is due for one person at once into one message led by the most
pressing email (mail.coalescing), and builds it in the recipient's language, with a stable
Message-ID and the one-click unsubscribe headers (mail.tokens). The templates are rendered by
mail.emails.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from course.names import short_name_from

from .batch_data import BatchData
from .contents import CONTENTS, Skip, absolute
from .emails import build_message, render_subject
from .models import OPTIONAL_KINDS, Kind
from .replies import WRITING_KINDS, bounce_address, headers_for
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


def lead_rank(kind):
    return LEAD_ORDER.index(kind) if kind in LEAD_ORDER else len(LEAD_ORDER)


def message_id(delivery):
    """Stable per delivery: a receiver (or our test sink) can tell a resend from a new email."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "klartext"
    return f"<delivery-{delivery.pk}@{host}>"


def unsubscribe_headers(delivery):
    """One-click unsubscribe for the kinds a member can switch off; mail about their own account
    or their own reply has none (an unsubscribe that changes nothing would lie)."""
    if delivery.membership_id is None or delivery.kind not in OPTIONAL_KINDS:
        return {}
    url = unsubscribe_url(delivery.membership_id, delivery.kind)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


class BatchContext:
    """The messages of one batch: what the batch reads is loaded once (`data`); building records
    what the outcome needs (variants, the rows a message carries or left out, and why)."""

    def __init__(self, deliveries, now):
        self.now = now
        self.data = BatchData(deliveries, now)
        # Headers and parts a kind adds to its message (Reply-To, a calendar invitation).
        self.extra_headers = {}
        self.attachments = {}
        # Variants decided while building, recorded with the outcome (no extra write per message).
        self.variants = {}
        # A message that carries several deliveries (mail.coalescing): lead pk → the companions'
        # pks it carries, lead pk → the companions' pks left out of it, and why (pk → reason).
        self.carried = {}
        self.left_out = {}
        self.skipped = {}

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
        content = CONTENTS[delivery.kind](self.data, delivery, membership)
        if content.variant is not None:
            self.variants[delivery.pk] = content.variant
        if content.headers:
            self.extra_headers[delivery.pk] = content.headers
        if content.attachments:
            self.attachments[delivery.pk] = content.attachments
        context = content.context
        context.update(
            {
                "membership": membership,
                "user": membership.user,
                "greeting_name": membership.user.get_short_name(),
                "cohort": membership.cohort,
                "course": self.data.shown(membership.cohort, membership.language)(membership.cohort.course),
                "site_url": settings.SITE_URL,
                "preferences_url": absolute(f"{reverse('mail:preferences')}?cohort={membership.cohort_id}"),
                "reply_invited": delivery.kind in WRITING_KINDS,
            }
        )
        return content.template, context

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
            "course": self.data.shown(invitation.cohort, invitation.language)(invitation.cohort.course),
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
