"""Klartext settings: one module, driven by the environment.

Every variable is parsed strictly. A bad value stops start-up with an
ImproperlyConfigured that names the variable and what it expects. With no
DATABASE_URL / REDIS_URL, Klartext runs on SQLite and Celery's filesystem
transport under var/, so a newcomer needs no servers.
"""

import base64
import binascii
import datetime
import hashlib
import os
import sys
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KLARTEXT_VAR_DIR") or BASE_DIR / "var")


# --- strict environment parsing -------------------------------------------------------------


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(name, default, *, minimum=None, maximum=None):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name}={number} must be between {minimum} and {maximum}.")
    return number


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must be a comma-separated list with at least one entry.")
    return items


def env_database(name, default):
    value = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(value, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a database URL: expected e.g. "
            "postgres://user:password@host:5432/klartext or sqlite:////absolute/path.db."
        ) from None
    if config.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(f"{name}={value!r}: only PostgreSQL and SQLite are supported.")
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={value!r} names no database: add /dbname to the URL.")
    return config


def env_redis_url(name):
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name}={value!r} is not a Redis URL: expected redis://host:6379/0 or rediss://…")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
        db = int(parts.path.strip("/") or 0)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r}: the port and the database number must be whole numbers."
        ) from None
    return parts, db


def env_time_zone(name, default):
    value = os.environ.get(name) or default
    if value not in zoneinfo.available_timezones():
        raise ImproperlyConfigured(f"{name}={value!r} is not an IANA time zone such as Europe/Berlin.")
    return value


# --- core ------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only for local development and tests; production must set its own.
        SECRET_KEY = "insecure-dev-only-key-klartext-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (a long random string) unless DEBUG=1. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names Klartext is served under.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(origin).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entry {origin!r} must start with https:// (or http://).")

SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must be an absolute http(s) URL.")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "course",
    "cohorts",
    "lessons",
    "progress",
    "publishing",
    "mail",
    "inbound",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "course.apps.KlartextUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "course.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "course.middleware.UserLanguageMiddleware",
    "course.middleware.SiteReportsMiddleware",
    "course.middleware.PrivatePagesMiddleware",
    "course.middleware.SignedOutHtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a locked-out sign-in (member site or Wagtail admin) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- data ------------------------------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'klartext.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite: no persistent connections (threads in tests), wait instead of "database is locked".
    # A deferred transaction that reads and then writes cannot wait for another writer (SQLite
    # answers "locked" at once, as make run's worker saw); IMMEDIATE takes the write lock at
    # BEGIN, where the timeout applies. WAL lets pages be read while the worker writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles short web and worker queries for longer than they run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "course.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "course.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing with the default iterations dominates test time; this is tests only.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REDIS = env_redis_url("REDIS_URL")


def _redis_db_url(db):
    parts, _current = REDIS
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


if REDIS:
    # Broker and cache live in separate Redis databases: flushing the cache never drops tasks.
    _parts, _broker_db = REDIS
    CELERY_BROKER_URL = _redis_db_url(_broker_db)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_db_url(_broker_db + 1),
            "KEY_PREFIX": "klartext",
        }
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport, each message written whole before a worker sees it.
    CELERY_BROKER_TRANSPORT = "config.filesystem_broker:Transport"
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        # Without this, the transport writes its control exchange into the working directory.
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
    # Files, not local memory: web, worker and beat are separate processes and must see one cache
    # (a page published in the admin is forgotten for the worker's next email too).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ------------------------------------------------------------------------------------

# Seconds a task may stay unacknowledged before Redis hands it to another worker. Every retry
# countdown must stay below it, or a delayed task would be delivered twice.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
if REDIS:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=5)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Seconds between two ticks of the planner. One beat process, a static schedule.
KLARTEXT_TICK_SECONDS = env_int("KLARTEXT_TICK_SECONDS", 300, minimum=10, maximum=3600)
# First retry of a temporary SMTP failure after about this many seconds, doubling, with jitter.
KLARTEXT_RETRY_BASE_SECONDS = env_int("KLARTEXT_RETRY_BASE_SECONDS", 30, minimum=1, maximum=600)
# Messages per second across all workers (0 = no limit); shared through the cache (Redis).
KLARTEXT_SEND_RATE = env_int("KLARTEXT_SEND_RATE", 0, minimum=0)
# Seconds between two looks for scheduled posts that are due (a post set for 08:30 leaves by then).
KLARTEXT_PUBLISH_TICK_SECONDS = env_int("KLARTEXT_PUBLISH_TICK_SECONDS", 30, minimum=5, maximum=600)
CELERY_BEAT_SCHEDULE = {
    "tick": {
        "task": "mail.tasks.tick",
        "schedule": float(KLARTEXT_TICK_SECONDS),
        # A tick that waited longer than one period is stale: the next one replans anyway.
        "options": {"expires": float(KLARTEXT_TICK_SECONDS)},
    },
    "publishing-tick": {
        "task": "publishing.tasks.tick",
        "schedule": float(KLARTEXT_PUBLISH_TICK_SECONDS),
        "options": {"expires": float(KLARTEXT_PUBLISH_TICK_SECONDS)},
    },
    "publishing-replies": {
        "task": "publishing.tasks.harvest_replies",
        "schedule": 1800.0,
        "options": {"expires": 1800.0},
    },
}

# Wagtail's own background work (search index updates, reference index, image renditions)
# goes through django-tasks. It runs in the request on purpose: it is small, and running it
# immediately needs no second queue next to Celery.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- email -----------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Klartext <hello@klartext.localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
else:
    # No SMTP server configured: mail goes to a local outbox a person can read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")

# --- inbound mail (inbound/) ------------------------------------------------------------------

# Replies (reply+<token>@…) and bounces (bounce+<token>@…) are addressed to this domain; its MX
# (or a relay) hands them to the inbound SMTP server. Default: the domain of DEFAULT_FROM_EMAIL.
KLARTEXT_INBOUND_DOMAIN = env_str(
    "KLARTEXT_INBOUND_DOMAIN", DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ").lower()
).lower()
if "@" in KLARTEXT_INBOUND_DOMAIN or "." not in KLARTEXT_INBOUND_DOMAIN:
    raise ImproperlyConfigured(f"KLARTEXT_INBOUND_DOMAIN={KLARTEXT_INBOUND_DOMAIN!r} must be a domain name.")
KLARTEXT_INBOUND_SMTP_HOST = env_str("KLARTEXT_INBOUND_SMTP_HOST", "127.0.0.1")
KLARTEXT_INBOUND_SMTP_PORT = env_int("KLARTEXT_INBOUND_SMTP_PORT", 2525, minimum=1, maximum=65535)
# Larger messages are refused during the SMTP dialogue (552), before anything is stored.
KLARTEXT_INBOUND_MAX_BYTES = env_int("KLARTEXT_INBOUND_MAX_BYTES", 1024 * 1024, minimum=10_000)
# Mailgun's inbound route (django-anymail): its webhook signing key; without it the URL answers 404.
KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY = env_str("KLARTEXT_MAILGUN_WEBHOOK_SIGNING_KEY", "")

# --- i18n ------------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["course.formats"]
USE_TZ = True
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/Berlin")
# Course pages exist per locale; URLs stay unprefixed (see course/translations.py).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- static and media ------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields other than files. The longest piece of writing (50,000 characters, up to 600 KB
# form-encoded) is far below; the margin lets an oversized paste reach the editor's form, which
# refuses it with a message and shows the text again, instead of Django's bare 400 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Wagtail ---------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Klartext"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if TESTING:
    # Indexing every page a test saves was a tenth of the page-heavy tests; tests/course/test_search.py
    # turns it back on to check the admin's page search.
    WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAILUSERS_PASSWORD_ENABLED = True
# No Gravatar: it would send a hash of every editor's email to a third party (and CSP blocks it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No call home from the admin for "a new version is out" (a third party; CSP blocks it too).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Uploads in the admin: photos and documents, nothing a browser would run (no SVG, no HTML).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "csv"]

# --- security --------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# htmx takes the token from the page (hx-headers on <body>), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# Wagtail's preview views set SAMEORIGIN themselves (its preview panel is an iframe of the admin).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Reverse proxies in front of Klartext that append to X-Forwarded-For. 0 (the default everywhere):
# none, the header is ignored, since anyone can send it to a directly reachable gunicorn and pick a
# new address for every guess. Set it behind a proxy (nginx: 1), or REMOTE_ADDR is the proxy's and
# every person shares one address in the limits below.
KLARTEXT_PROXY_COUNT = env_int("KLARTEXT_PROXY_COUNT", 0, minimum=0, maximum=5)

# Failed sign-ins (member site and Wagtail admin alike): counted per email *and* address, so
# colleagues behind one office address never lock each other out. The third failure locks that
# pair; it opens again after the cool-off (a failure during the lock restarts it).
AXES_FAILURE_LIMIT = 3
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1, maximum=24 * 60))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the form field of both login forms (it holds the email)
AXES_USERNAME_CALLABLE = "course.security.login_name"
AXES_CLIENT_IP_CALLABLE = "course.security.client_ip"
AXES_LOCKOUT_CALLABLE = "course.security.lockout_response"
# Failures are kept (for the lockout); a log of every successful sign-in is not needed.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Content-Security-Policy: the member site runs no inline script or style and no eval (see
# templates/base.html and static/js/). Lesson videos are YouTube or Vimeo iframes.
_VIDEO_FRAMES = ["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": _VIDEO_FRAMES,
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# The Wagtail admin (course.security.ContentSecurityPolicyMiddleware): its editor sets inline
# styles and the preview panel frames our own pages; scripts stay 'self' only.
KLARTEXT_ADMIN_PREFIX = "/admin/"
KLARTEXT_ADMIN_CSP = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-src": ["'self'", *_VIDEO_FRAMES],
        "frame-ancestors": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per Wagtail index update is noise; failures still show.
        "django_tasks": {"level": "WARNING"},
        # A line per successful sign-in is noise; failures and lockouts are warnings and show.
        "axes": {"level": "WARNING"},
    },
}


# --- publishing to networks (publishing/) ------------------------------------------------------


def env_fernet_keys(name):
    """Comma-separated Fernet keys (urlsafe base64 of 32 bytes): the first encrypts, all decrypt,
    so a new key is put first and the old one kept until `manage.py rotate_field_key` has run."""
    keys = [key.strip() for key in (env_str(name, "") or "").split(",") if key.strip()]
    for key in keys:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (ValueError, binascii.Error):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: every key must be a Fernet key (urlsafe base64 of 32 bytes). Generate one with: "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
    return keys


# Tokens and app passwords of connected network accounts are encrypted with these keys. Without
# them only DEBUG and tests run (on a key derived from SECRET_KEY); production stops at the
# system check publishing.E001.
KLARTEXT_FIELD_KEYS = env_fernet_keys("KLARTEXT_FIELD_KEY")
if not KLARTEXT_FIELD_KEYS and (DEBUG or TESTING):
    KLARTEXT_FIELD_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"field-key:{SECRET_KEY}".encode()).digest()).decode()
    ]
# Where Bluesky handles and DIDs are resolved when DNS and https://<handle>/.well-known say nothing
# (a handle resolver's XRPC service), and the PLC directory for did:plc documents.
ATPROTO_HANDLE_RESOLVER_URL = env_str("ATPROTO_HANDLE_RESOLVER_URL", "https://bsky.social").rstrip("/")
ATPROTO_PLC_URL = env_str("ATPROTO_PLC_URL", "https://plc.directory").rstrip("/")
# Seconds a network request may take before its outcome counts as unknown.
KLARTEXT_NETWORK_TIMEOUT = env_int("KLARTEXT_NETWORK_TIMEOUT", 20, minimum=1, maximum=120)
# LinkedIn's "Share on LinkedIn" OAuth; without both, LinkedIn stays a hand-off.
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID", "")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET", "")
if bool(LINKEDIN_CLIENT_ID) != bool(LINKEDIN_CLIENT_SECRET):
    raise ImproperlyConfigured("Set both LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET, or neither.")
# The Posts API version Klartext speaks (LinkedIn-Version header, YYYYMM; each lives about a year).
LINKEDIN_API_VERSION = env_str("LINKEDIN_API_VERSION", "202511")
if not (len(LINKEDIN_API_VERSION) == 6 and LINKEDIN_API_VERSION.isdigit()):
    raise ImproperlyConfigured("LINKEDIN_API_VERSION must be a month as YYYYMM, e.g. 202511.")
# Where LinkedIn's sign-in and API live (tests point both at a local fake).
LINKEDIN_OAUTH_URL = "https://www.linkedin.com/oauth/v2"
LINKEDIN_API_URL = "https://api.linkedin.com"
KLARTEXT_MASTODON_URL_TEMPLATE = "https://{instance}"
# Servers a member names (Mastodon) or their identity names (Bluesky) must be on the public
# internet (publishing/egress.py); the tests' local servers are not.
KLARTEXT_PRIVATE_NETWORKS_ALLOWED = env_bool("KLARTEXT_PRIVATE_NETWORKS_ALLOWED", TESTING)
