"""The Celery application. Configuration comes from Django settings (namespace CELERY)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("klartext")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
