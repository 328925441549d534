"""Django settings for the ASC Assure web app, all from environment variables.

See docs/web.md for the full list. Nothing here is secret: the secret key, database password and
pseudonymisation key come from the environment (or files the environment points at).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


WEB_DIR = Path(__file__).resolve().parent

DEBUG = _flag("ASC_ASSURE_DEBUG")
HTTPS = _flag("ASC_ASSURE_HTTPS")

SECRET_KEY = os.environ.get("ASC_ASSURE_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "asc-assure-development-only-not-secret"  # only with ASC_ASSURE_DEBUG=1
    elif os.environ.get("PYTEST_VERSION"):  # set by pytest itself while it runs
        SECRET_KEY = "asc-assure-tests-only-not-secret"
    else:
        raise ImproperlyConfigured(
            "Set ASC_ASSURE_SECRET_KEY (a long random string), or ASC_ASSURE_DEBUG=1 for local development"
        )

ALLOWED_HOSTS = _list("ASC_ASSURE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _list("ASC_ASSURE_CSRF_TRUSTED_ORIGINS", "")

# Where the app keeps its own files (the SQLite database by default) and the store it reads.
DATA_DIR = Path(os.environ.get("ASC_ASSURE_DATA_DIR", "var")).resolve()
ASC_ASSURE_STORE = Path(os.environ.get("ASC_ASSURE_STORE", "demo/store")).resolve()
# "Today" for the workspace (overdue tasks, stale evidence, due dates): the real date unless set, e.g. the
# demo sets ASC_ASSURE_TODAY=2025-03-31 so its data (which ends then) reads as current.
ASC_ASSURE_TODAY = dt.date.fromisoformat(os.environ["ASC_ASSURE_TODAY"]) if os.environ.get("ASC_ASSURE_TODAY") else None
# Passed through to the core for uploads; the core reads ASC_ASSURE_KEY_FILE itself.
ASC_ASSURE_KEY_FILE = os.environ.get("ASC_ASSURE_KEY_FILE")

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'asc-assure.sqlite3'}",
        conn_max_age=_int("ASC_ASSURE_DB_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "asc_assure.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "asc_assure.web.urls"
WSGI_APPLICATION = "asc_assure.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "asc_assure.web.jinja2.environment",
            "context_processors": ["asc_assure.web.context.platform"],
        },
    },
]

# Accounts: Argon2 first; django-axes locks an account after repeated failures.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = _int("ASC_ASSURE_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=_int("ASC_ASSURE_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]  # lock the account whichever address the attempts come from
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # that warning is about IP-based lockout, which this is not
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "asc_assure.web.views.locked_out"
AXES_VERBOSE = False

# Sessions: 30 minutes of inactivity (refreshed on every request), gone when the browser closes.
SESSION_COOKIE_AGE = _int("ASC_ASSURE_SESSION_MINUTES", 30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "asc_assure.web.views.csrf_failure"

# Transport security when served over HTTPS (normally behind a reverse proxy that sets X-Forwarded-Proto).
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("ASC_ASSURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _int("ASC_ASSURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("ASC_ASSURE_HSTS_SUBDOMAINS")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Static files: GOV.UK Frontend is shipped in the package and served by WhiteNoise (no CDN).
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("ASC_ASSURE_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ASC_ASSURE_LOG_LEVEL", "WARNING")},
}
