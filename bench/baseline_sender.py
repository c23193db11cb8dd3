"""B1's baseline: one plain Python process, no Celery and no per-message bookkeeping. It reads the
due members from the database once, renders each one's weekly nudge with the pipeline's own code
(BatchContext.build: same templates, same context, same headers) and sends them all over one SMTP
connection. Prints one JSON line: when it started (time.monotonic, comparable with the parent's
clock on Linux) and how many it sent."""

import json
import sys
import time


def main():
    import django

    django.setup()
    from django.core.mail import get_connection
    from django.utils import timezone

    from cohorts.models import Membership
    from course.timezones import iso_week_key
    from mail.messages import BatchContext
    from mail.models import Delivery, Kind

    started = time.monotonic()
    now = timezone.now()
    memberships = list(Membership.objects.filter(role="member").select_related("user", "cohort__course").order_by("pk"))
    # Stand-ins for the Delivery rows the pipeline plans: same kind, recipient and period.
    deliveries = [
        Delivery(
            pk=membership.pk,
            membership=membership,
            kind=Kind.WEEKLY_NUDGE,
            period_key=iso_week_key(now.date()),
            due_at=now,
        )
        for membership in memberships
    ]
    context = BatchContext(deliveries, now)
    smtp = get_connection()
    smtp.open()
    sent = 0
    try:
        for delivery in deliveries:
            sent += context.build(delivery, smtp).send()
    finally:
        smtp.close()
    print(json.dumps({"started": started, "sent": sent, "finished": time.monotonic()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
