"""course.postgresql: Django's backend with a faster timestamp loader that must read exactly what
Django's own loader reads (PostgreSQL only; the embedded SQLite default does not use it)."""

import datetime
import zoneinfo

import pytest
from django.db import connection

from course.postgresql.base import IsoTzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's timestamp loader"),
]

LITERALS = [
    "2026-11-22 14:41:04.453690+00",
    "2026-11-22 14:41:04+00",
    "2026-11-22 14:41:04.1+05:30",  # half-hour zone, one digit of fraction
    "2026-03-29 01:59:59.999999-03",
    "2026-10-25 02:30:00+01",  # Berlin's repeated hour, second time
    "2026-10-25 02:30:00+02",  # and first time
    "1900-01-01 00:00:00+00:53:28",  # local mean time: seconds in the offset
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2026-11-22 14:41:04.45369+00",  # PostgreSQL drops trailing zeros of the fraction
]


def read_both(literal):
    """The server's text for `literal`, read by course.postgresql's loader and by Django's."""
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz::text", [literal])
        text = cursor.fetchone()[0].encode()
        context = cursor.cursor
        ours = type("Ours", (IsoTzLoader,), {"timezone": datetime.UTC})(1184, context)
        djangos = type("Djangos", (BaseTzLoader,), {"timezone": datetime.UTC})(1184, context)
        return ours.load(text), djangos.load(text)


@pytest.mark.parametrize("literal", LITERALS)
def test_a_timestamp_reads_the_same_as_through_djangos_loader(literal):
    ours, theirs = read_both(literal)
    assert ours == theirs
    assert (ours.tzinfo, ours.utcoffset(), ours.fold) == (theirs.tzinfo, theirs.utcoffset(), theirs.fold)


def test_the_connection_uses_the_fast_loader_and_returns_utc():
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-11-22 15:41:04.5+01'::timestamptz")
        value = cursor.fetchone()[0]
        loader = cursor.cursor.adapters.get_loader(1184, 0)
    assert issubclass(loader, IsoTzLoader)
    assert value == datetime.datetime(2026, 11, 22, 14, 41, 4, 500000, tzinfo=datetime.UTC)
    assert value.tzinfo == datetime.UTC


def test_the_loader_converts_other_offsets_to_its_zone():
    loader = type("L", (IsoTzLoader,), {"timezone": zoneinfo.ZoneInfo("Europe/Berlin")})
    with connection.cursor() as cursor:
        instance = loader(1184, cursor.cursor)
    value = instance.load(b"2026-10-25 01:30:00+00")  # 02:30 Berlin, the second (winter) time
    # Compared as timestamps: Python never calls an ambiguous wall time equal across zones.
    assert value.timestamp() == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC).timestamp()
    assert value.fold == 1 and value.utcoffset() == datetime.timedelta(hours=1)


def test_what_python_cannot_hold_fails_as_it_did_through_djangos_loader():
    import psycopg

    for literal in ("0044-03-15 12:00:00+00 BC", "infinity"):
        with pytest.raises(psycopg.DataError):
            read_both(literal)
