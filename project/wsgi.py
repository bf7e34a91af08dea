"""The WSGI application (gunicorn), which refuses to start when a start-up check fails."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_wsgi_application()

from extraction.checks import startup_refusal  # noqa: E402 - needs the apps loaded

# An exception (not SystemExit) while loading the app is gunicorn's "worker failed
# to boot": the master stops instead of booting new workers forever.
if refusal := startup_refusal("web server"):
    raise ImproperlyConfigured(refusal)
