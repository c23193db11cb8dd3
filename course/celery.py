"""The Celery application. Configuration comes from Django settings (namespace CELERY)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "course.settings")

app = Celery("klartext")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _read_outline_version_afresh(**kwargs):
    # Like each request, each task reads the course outline's version once (course.outline).
    from course.outline import forget_version

    forget_version()
