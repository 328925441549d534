"""WSGI entry point for production: ``gunicorn asc_assure.web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asc_assure.web.settings")

application = get_wsgi_application()
