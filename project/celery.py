"""The Celery application of every Seams process (configured from Django settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("seams")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
