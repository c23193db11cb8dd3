"""How planners write Delivery rows: one INSERT … SELECT … ON CONFLICT DO NOTHING per statement,
the columns every planned row shares, and the expressions that give each membership its own value.

The unique constraint on (recipient, kind, period key) makes a second or concurrent tick insert
nothing, and the number of statements does not grow with the number of members.
"""

from collections import defaultdict

from django.db import connection
from django.db.models import BooleanField, Case, CharField, DateTimeField, ExpressionWrapper, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat

from cohorts.models import Membership

from .models import Delivery, DeliveryState, SkipReason

MISSED_REASON = SkipReason.PLANNED_TOO_LATE


def insert_select(queryset, **columns):
    """INSERT INTO delivery (columns) SELECT … FROM queryset ON CONFLICT DO NOTHING.

    One statement however many rows it inserts; returns the number inserted. Column values are
    expressions over the queryset's model (or constants)."""
    names = list(columns)
    select = queryset.order_by().annotate(**{f"_c_{name}": expr for name, expr in columns.items()})
    select = select.values_list(*[f"_c_{name}" for name in names])
    sql, params = select.query.sql_with_params()
    table = Delivery._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(Delivery._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({quoted}) {sql} ON CONFLICT DO NOTHING", params)
        return cursor.rowcount


def reason_for(state):
    """The reason a planned row carries: why it is 'missed', none while it is 'pending'."""
    return MISSED_REASON if state == DeliveryState.MISSED else ""


def row_defaults(kind, now, state=DeliveryState.PENDING, variant=""):
    """The columns of a planned row that are the same for every membership of a statement."""
    return {
        "kind": Value(kind, output_field=CharField()),
        "state": Value(state, output_field=CharField()),
        "variant": Value(variant, output_field=CharField()),
        "attempts": Value(0, output_field=IntegerField()),
        "last_error": Value("", output_field=CharField()),
        "reason": Value(reason_for(state), output_field=CharField()),
        "flagged": Value(False),
        "to_email": Value("", output_field=CharField()),
        "created_at": Value(now, output_field=DateTimeField()),
    }


def prefixed_id(prefix, field_name):
    """SQL for prefix || id, e.g. 'feedback:42', as a period key."""
    return Concat(Value(prefix), Cast(field_name, CharField()), output_field=CharField())


def moment(value):
    return Value(value, output_field=DateTimeField())


def by_condition(pairs, output_field=None, default=None):
    """An expression that is each pair's value where its condition holds: (condition, value)
    pairs sharing a value become one When; a single value is a plain constant."""
    output_field = output_field or DateTimeField()
    conditions = defaultdict(list)
    for condition, value in pairs:
        conditions[value].append(condition)
    if len(conditions) == 1 and default is None:
        return Value(next(iter(conditions)), output_field=output_field)
    whens = []
    for value, group in conditions.items():
        combined = group[0]
        for condition in group[1:]:
            combined |= condition
        whens.append(When(combined, then=Value(value, output_field=output_field)))
    default = Value(default, output_field=output_field) if default is not None else None
    return Case(*whens, default=default, output_field=output_field)


def zone_hour_in(pairs):
    """A membership condition: its (time zone, nudge hour) is one of `pairs`, as one row-value IN."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    sql = "({t}.time_zone, {t}.nudge_hour) IN ({rows})".format(t=table, rows=", ".join(["(%s, %s)"] * len(pairs)))
    return ExpressionWrapper(
        RawSQL(sql, [value for pair in pairs for value in pair]),  # noqa: S611 - only %s placeholders; values are params
        output_field=BooleanField(),
    )
