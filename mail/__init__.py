"""The email pipeline, one module per stage.

timing      local time rules: quiet hours, weekends, deadlines, the local hours a span covers
audience    who gets which email (reachable members, the weekly nudge's audience)
planning    what is due: the tick's plan step over every kind since its watermark, "send now"'s plan
spans       the span a planner covers, how far back a tick looks, when each kind is due and its
            deadline, what the planners of one tick share
planned_rows  how planners write rows: INSERT … SELECT … ON CONFLICT DO NOTHING, shared columns
slot_planners, calendar_planners, activity_planners
            the planners: at each person's weekday and hour; a cohort's calendar; what people do
dispatch    the tick (reconcile, plan, expire, dispatch) and "send now": due rows → queued
            batches; whether beat is late
sending     throttle, claim (re-checking consent), outcome, retries with backoff, time budget
smtp        one SMTP connection per batch; accepted, not accepted or unknown (answer lost)
coalescing  what falls due for one person at once leaves as one message (each row claimed once)
messages    each delivery's email (BatchContext): one message per person and slot, its headers
batch_data  what a batch's emails read, loaded once per batch
contents    each kind's template, context and one button (Skip when there is nothing to say);
            rendered by `emails` from templates/emails/
digest      the facilitator digest's figures
tokens      signed one-click unsubscribe tokens
tasks       the Celery tasks: they take ids and call dispatch or sending
"""
