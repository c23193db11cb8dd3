"""The Celery application. Configuration comes from Django settings (namespace CELERY)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("klartext")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _outline_scope_begins(**kwargs):
    # Like each request, each task reads the course outline's version once (course.outline).
    from course.outline import begin

    begin()


@signals.task_postrun.connect
def _outline_scope_ends(**kwargs):
    from course.outline import end

    end()
