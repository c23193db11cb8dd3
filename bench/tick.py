"""B2: one tick's planning at several sizes: wall time and query count.

The same cohorts at every size (only the number of memberships grows), 1 in 24 due. Each size is
ticked `REPEAT` times on a fresh Delivery table; the median time is reported. The query count must
not depend on the size.
"""

import statistics
import time

from . import seed

REPEAT = 3
TARGET_SECONDS = 2.0


def _tick_once(now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mail import dispatch

    with connection.cursor() as cursor:
        # Inbound replies point at the delivery they answer: emptied with it, nothing else is.
        cursor.execute("TRUNCATE mail_delivery, inbound_inboundmessage")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = dispatch.tick(now)
        seconds = time.perf_counter() - started
    return seconds, len(queries), result


def b2(run):
    from django.utils import timezone

    from config.celery import app

    sizes = []
    for members in run.args.tick_sizes:
        run.fresh_database()
        now = timezone.now()
        seeded = seed.seed_tick(members, run.args.zones, now)
        runs = [_tick_once(now) for _ in range(REPEAT)]
        app.control.purge()  # nobody sends these: the queued batches only go away
        times = [seconds for seconds, _queries, _result in runs]
        query_counts = sorted({queries for _seconds, queries, _result in runs})
        result = runs[-1][2]
        sizes.append(
            {
                "members": members,
                "due": seeded["due"],
                "cohorts": seeded["cohorts"],
                "zones": seeded["zones"],
                "planned": result.planned,
                "dispatched": result.dispatched,
                "seconds": round(statistics.median(times), 3),
                "seconds_all": [round(t, 3) for t in times],
                "queries": query_counts[0] if len(query_counts) == 1 else query_counts,
            }
        )
    counts = {size["queries"] if isinstance(size["queries"], int) else -1 for size in sizes}
    constant = len(counts) == 1 and -1 not in counts
    largest = max(sizes, key=lambda size: size["members"])
    # Every planned row is dispatched in the same tick (the due members: weekly nudges, and on the
    # first days of a month the alumni's monthly ones).
    complete = all(0 < size["dispatched"] == sum(size["planned"].values()) for size in sizes)
    return {
        "sizes": sizes,
        "queries_constant": constant,
        "complete": complete,
        "target": f"constant query count; < {TARGET_SECONDS:g} s at {largest['members']:,}",
        "pass": constant and complete and largest["seconds"] < TARGET_SECONDS,
    }
