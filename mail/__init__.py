"""The email pipeline, one module per stage.

timing      local time rules: quiet hours, weekends, deadlines, the local hours a span covers
audience    who gets which email (reachable members, the weekly nudge's audience)
planning    what is due: one planner per kind over the span since its watermark, each row with
            its deadline; the tick's plan step, "send now"'s plan
dispatch    the tick (reconcile, plan, expire, dispatch) and "send now": due rows → queued
            batches; whether beat is late
sending     throttle, claim (re-checking consent), outcome, retries with backoff, time budget
smtp        one SMTP connection per batch; accepted, not accepted or unknown (answer lost)
coalescing  what falls due for one person at once leaves as one message (each row claimed once)
messages    each delivery's email (BatchContext), rendered by `emails` from templates/emails/
tokens      signed one-click unsubscribe tokens
tasks       the Celery tasks: they take ids and call dispatch or sending
"""
