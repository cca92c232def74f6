"""The Celery app. Tasks are thin: they take ids, reload through a selector and call a service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuyao_childcare.settings")

app = Celery("yuyao_childcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
