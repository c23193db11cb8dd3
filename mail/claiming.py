"""The claim: pending → sending in one conditional statement that re-checks, at that moment, that
the member still wants the email (mail.audience.consent_rules), and the outcome of one row.

These two statements run once per email, so they are written out as SQL (from the model's own
table and column names, with every value a parameter): the ORM spent more time compiling them
than the database spent running them. The consent condition itself stays the ORM's, compiled
once per batch for each kind and local date (Consent).
"""

from django.db import connection
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from cohorts.models import Membership

from .audience import consent_rules, consenting_members
from .models import Delivery, DeliveryState
from .timing import EXPIRED_LATE

SENDING, PENDING = DeliveryState.SENDING.value, DeliveryState.PENDING.value


def _consent(delivery, now):
    """The claim's consent rules for this row, on the member's local date."""
    return consent_rules(delivery.kind, _local_date(delivery, now))


def _local_date(delivery, now):
    return now.astimezone(delivery.membership.zone).date()


class Consent:
    """The claim's consent condition per kind and local date, built once for a batch: every row
    of a batch that shares them asks the same question, and building it was most of a claim's
    cost. Lives as long as one batch, so every claim still reads the database as it is then."""

    def __init__(self, now):
        self.now = now
        self._members = {}
        self._statements = {}

    def condition(self, delivery):
        return Q(membership_id__in=self.members(delivery))

    def members(self, delivery):
        key = (delivery.kind, _local_date(delivery, self.now))
        if key not in self._members:
            members = consenting_members(*key)
            self._members[key] = members
            self._statements[key] = (f"{_claim_statement()}({members.sql})", members.params)
        return self._members[key]

    def statement(self, delivery):
        """The claim's UPDATE for this row's kind and local date, and its parameters that follow
        the row's own (state, stamp, key, state, stamp)."""
        self.members(delivery)
        return self._statements[(delivery.kind, _local_date(delivery, self.now))]


def _claim_statement():
    """UPDATE … WHERE: the claim as one statement, written out because it runs once per email and
    the ORM spends more time compiling it than the database spends running it."""
    table = Delivery._meta.db_table
    column = {f.name: connection.ops.quote_name(f.column) for f in Delivery._meta.concrete_fields}
    return (
        f"UPDATE {connection.ops.quote_name(table)} SET {column['state']} = %s, {column['claimed_at']} = %s, "  # noqa: S608 (names from the model)
        f"{column['attempts']} = {column['attempts']} + 1 WHERE {column['id']} = %s AND {column['state']} = %s "
        f"AND ({column['send_by']} IS NULL OR {column['send_by']} > %s) AND {column['membership']} IN "
    )


def _first_unmet(rules):
    """SQL for the reason of the first rule the row's membership does not meet ("" if none)."""
    return Case(
        *[
            When(~Exists(Membership.objects.filter(rule, pk=OuterRef("membership_id"))), then=Value(reason))
            for reason, rule in rules
        ],
        default=Value(""),
        output_field=CharField(),
    )


def claim(delivery, now, consent=None):
    """pending → sending, committed before the message leaves, in one conditional UPDATE that
    also checks the member still wants this email (`consent_rules` on their local date): a change
    committed before the claim is always honoured. Returns "claimed", "skipped" (the row now says
    why), "expired" (its deadline passed while it waited) or "taken" (another worker has it, it
    was sent, or it is gone)."""
    rows = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING)
    claimed_at = timezone.now()
    # The deadline is checked at the claim, not at the batch's start: a throttled batch runs long.
    in_time = Q(send_by__isnull=True) | Q(send_by__gt=claimed_at)
    claiming = {"state": DeliveryState.SENDING, "claimed_at": claimed_at, "attempts": F("attempts") + 1}
    if delivery.membership_id is None:
        if rows.filter(in_time).update(**claiming):
            return "claimed"
        return "expired" if expire_late(rows, in_time) else "taken"
    consent = consent or Consent(now)
    statement, params = consent.statement(delivery)
    stamp = connection.ops.adapt_datetimefield_value(claimed_at)
    with connection.cursor() as cursor:
        cursor.execute(statement, [SENDING, stamp, delivery.pk, PENDING, stamp, *params])
        if cursor.rowcount:
            return "claimed"
    consenting = consent.condition(delivery)
    if expire_late(rows, in_time):
        return "expired"
    # Not claimed: a second conditional update records which rule the member no longer meets.
    skipped = rows.filter(~consenting).update(state=DeliveryState.SKIPPED, reason=_first_unmet(_consent(delivery, now)))
    return "skipped" if skipped else "taken"


def expire_late(rows, in_time):
    """The row's deadline passed before a worker could claim it: 'expired', never sent late."""
    return rows.filter(~in_time).update(state=DeliveryState.EXPIRED, reason=EXPIRED_LATE, enqueued_at=None)


def unmet_consent(delivery, now):
    """The reason the claim would skip this delivery at `now`, or "" (one query)."""
    if delivery.membership_id is None:
        return ""
    reasons = Delivery.objects.filter(pk=delivery.pk).values_list(_first_unmet(_consent(delivery, now)), flat=True)
    return next(iter(reasons), "")


def update_row(pk, fields):
    """UPDATE of one row by its key: written out because it runs once per email and the ORM spends
    more time compiling it than the database spends running it. `fields` are plain values."""
    columns = {f.name: f for f in Delivery._meta.concrete_fields}
    assignments = ", ".join(f"{connection.ops.quote_name(columns[name].column)} = %s" for name in fields)
    values = [columns[name].get_db_prep_save(value, connection) for name, value in fields.items()]
    table, key = connection.ops.quote_name(Delivery._meta.db_table), connection.ops.quote_name("id")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {key} = %s", [*values, pk])  # noqa: S608 (names from the model)
