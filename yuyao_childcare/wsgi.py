import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuyao_childcare.settings")
application = get_wsgi_application()

from yuyao_childcare import celery_app, scheduler  # noqa: E402 - needs the settings configured above

# The embedded default (`make run`): the development server runs the scheduled jobs itself.
scheduler.start_if_embedded(celery_app)
