"""The one settings module, driven by environment variables.

Defaults give the embedded set-up (SQLite, local files, in-process worker);
``DATABASE_URL`` switches to PostgreSQL and ``MARKETDESK_ENV=production``
turns on the guards that refuse an unsafe start.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from marketdesk.core.proxies import trusted_networks

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MARKETDESK_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT = os.environ.get("MARKETDESK_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEMO_MODE = env_bool("MARKETDESK_DEMO")
DEFAULT_SECRET_KEY = "insecure-development-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = os.environ.get("MARKETDESK_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("MARKETDESK_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = [
    h for h in os.environ.get("MARKETDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("MARKETDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Reverse proxies in front (addresses or networks): only from these are X-Forwarded-For and
# X-Forwarded-Proto believed (marketdesk.core.proxies); from anyone else they are ignored.
try:
    TRUSTED_PROXIES = trusted_networks(os.environ.get("MARKETDESK_TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"MARKETDESK_TRUSTED_PROXIES: {exc} (comma-separated addresses or CIDRs).") from exc

if PRODUCTION:
    # Refuse to run a public instance in a state that would leak or be guessable.
    if DEBUG:
        raise ImproperlyConfigured("Production refuses to start with MARKETDESK_DEBUG on.")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs MARKETDESK_SECRET_KEY: 50 or more random characters.")
    if DEMO_MODE:
        raise ImproperlyConfigured("Production refuses to start with demo accounts (MARKETDESK_DEMO).")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Only for its templates and static files: /api/v1/docs serves the Swagger UI that ships with
    # the pinned django-ninja (uv.lock), from our own origin, instead of a CDN.
    "ninja",
    "marketdesk.core.third_party_apps.TasksConfig",  # django_tasks_db, named in both languages
    "marketdesk.core.third_party_apps.AxesConfig",  # axes, named in both languages
    "marketdesk.core",
    "marketdesk.accounts",
    "marketdesk.orders",
    "marketdesk.shipping",
    "marketdesk.triage",
    "marketdesk.hints",
    "marketdesk.helpcenter",
    "marketdesk.messaging",
    "marketdesk.attachments",
    "marketdesk.disputes",
    "marketdesk.cases",
    "marketdesk.standards",
    "marketdesk.safety",
    "marketdesk.risk",
    "marketdesk.returns",
    "marketdesk.console",
    "marketdesk.history",
    "marketdesk.situation",
    "marketdesk.ledger",
    "marketdesk.notifications",
    "marketdesk.live",
    "marketdesk.simulator",
    "marketdesk.api",
    "marketdesk.web",
]

MIDDLEWARE = [
    # First: everything after it (the HTTPS redirect, sign-in lockout, audit) sees the client's address and scheme.
    "marketdesk.core.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketdesk.web.middleware.PrivateNoStoreMiddleware",
    "marketdesk.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marketdesk.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "marketdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketdesk.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'marketdesk.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request may run on a thread of its own, so connections kept per thread
    # (CONN_MAX_AGE) pile up and idle; Django's docs advise against them there. psycopg's pool
    # hands a connection to a request and takes it back when the request ends.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection before it hands it out (Django passes psycopg's check_connection when
    # health checks are on): after PostgreSQL restarts, a dead pooled connection is dropped, never given
    # to a request that would then answer 500.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("MARKETDESK_DB_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("MARKETDESK_DB_POOL_MAX_SIZE", "20")),
        "timeout": float(os.environ.get("MARKETDESK_DB_POOL_TIMEOUT", "10")),  # seconds a request waits for one
        # Seconds a connection beyond min_size may sit unused before the pool closes it (psycopg's default).
        "max_idle": float(os.environ.get("MARKETDESK_DB_POOL_MAX_IDLE", "600")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker and the web server write without "database is locked". A batch write (a tracking
        # batch touches a thousand parcels, their events and timeline rows) dirties thousands of pages: a 64 MB
        # page cache keeps them from spilling mid-transaction, and checkpointing every 10,000 pages instead of
        # every 1,000 copies a page dirtied by several batches in a row once, not once per batch. Reads go through
        # a memory map of the first 256 MB of the file (mmap_size) instead of a read() call and a copy per page.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Five wrong passwords for one username from one address lock that pair for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("MARKETDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the client's behind trusted proxies, never a forwarded header anyone could send.
AXES_CLIENT_IP_CALLABLE = "marketdesk.core.proxies.client_ip"
AXES_LOCKOUT_CALLABLE = "marketdesk.web.views.auth.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Throttles (marketdesk.core.throttle): scope -> (attempts, per seconds), counted in the cache
# (shared by every process when MARKETDESK_CACHE_URL names Redis).
THROTTLES: dict[str, tuple[int, int]] = {
    # Password-reset mails: a few for one address an hour, and a bound per client address.
    "password_reset_address": (int(os.environ.get("MARKETDESK_RESET_MAILS_PER_ADDRESS", "3")), 3600),
    "password_reset_client": (int(os.environ.get("MARKETDESK_RESET_MAILS_PER_CLIENT", "10")), 3600),
    # Wrong passwords from one client address across every username (axes locks one username per address).
    "sign_in_client": (int(os.environ.get("MARKETDESK_SIGN_IN_FAILURES_PER_CLIENT", "30")), 900),
    # API calls per key.
    "api_key": (int(os.environ.get("MARKETDESK_API_CALLS_PER_MINUTE", "600")), 60),
}

LANGUAGE_CODE = "en"
# Links typed without a scheme in messages open over HTTPS (Django 7's default).
URLIZE_ASSUME_HTTPS = True

LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["marketdesk.formats"]
TIME_ZONE = os.environ.get("MARKETDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("MARKETDESK_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MARKETDESK_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files people upload: under MEDIA_ROOT/attachments/, which no URL serves (see attachments.views).
    "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# MARKETDESK_STORAGE_URL=s3://KEY:SECRET@HOST[:PORT]/BUCKET[?region=…] keeps attachments in an
# S3-compatible bucket instead (s3+http:// for a plain-HTTP endpoint such as a local MinIO);
# needs the `s3` extra: `uv sync --extra s3`.
if _storage_url := os.environ.get("MARKETDESK_STORAGE_URL", ""):
    _s3 = urlsplit(_storage_url)
    if _s3.scheme not in ("s3", "s3+http") or not _s3.hostname or not _s3.path.strip("/"):
        raise ImproperlyConfigured("MARKETDESK_STORAGE_URL must look like s3://KEY:SECRET@HOST[:PORT]/BUCKET.")
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3.path.strip("/"),
            "endpoint_url": f"{'http' if _s3.scheme == 's3+http' else 'https'}://{_s3.netloc.rpartition('@')[2]}",
            "access_key": unquote(_s3.username or "") or None,
            "secret_key": unquote(_s3.password or "") or None,
            "region_name": parse_qs(_s3.query).get("region", [None])[0],
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own (private): files are only ever served through marketdesk
            # Presigned download URLs (attachments.views) signed with SigV4: every region and MinIO take it.
            "signature_version": "s3v4",
        },
    }
# A signed attachment link works this many seconds, and every fetch is authorized again.
ATTACHMENT_URL_MAX_AGE = int(os.environ.get("MARKETDESK_ATTACHMENT_URL_MAX_AGE", "300"))
# On S3, an authorized fetch is redirected to a presigned URL of the bucket that works this long.
ATTACHMENT_PRESIGNED_URL_MAX_AGE = 60
# nginx in front (e.g. "/protected/", an `internal` location aliasing MEDIA_ROOT): downloads are
# answered with X-Accel-Redirect and nginx sends the bytes, after marketdesk has checked access.
ATTACHMENT_ACCEL_REDIRECT = os.environ.get("MARKETDESK_ACCEL_REDIRECT", "")
# Request bodies (marketdesk.web.bodylimit, in front of Django under ASGI): forms and JSON up to
# this size, and read in memory only. The largest legitimate ones (an order upsert of 500 lines, a
# tracking batch of 1,000 events) take well under a megabyte. Upload routes take the policy's file
# size times the files a request may carry, and only from callers who present credentials.
REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024
# Django's own bounds, coherent with that: the non-file part of a body (what request.body and
# request.POST hold in memory), and the size above which a body or uploaded file goes to a
# temporary file instead of memory (above the form limit, so only uploads ever touch the disk).
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# How many files one request may carry is the route's (attachments.uploads: one, or the policy's files
# per message): the parser stops at the first file beyond it, before it is kept in memory or on disk.
# Django's own DATA_UPLOAD_MAX_NUMBER_FILES (100) stays as a backstop above any sensible policy.
FILE_UPLOAD_HANDLERS = [
    "marketdesk.attachments.uploads.FileCountHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Images with more pixels are refused as decompression bombs (a 50-megapixel phone photo passes).
ATTACHMENT_MAX_IMAGE_PIXELS = int(os.environ.get("MARKETDESK_ATTACHMENT_MAX_IMAGE_PIXELS", "64000000"))
# Photos are decoded in child processes (attachments.reencode), this many at once per web process.
ATTACHMENT_IMAGE_DECODES = int(os.environ.get("MARKETDESK_ATTACHMENT_IMAGE_DECODES", "2"))

# Background tasks (Django's tasks API, docs/adr/0014). One queue per kind of work, so a slow webhook
# receiver delays neither mail nor the nightly standards run, and workers can be started per queue.
TASK_QUEUES = ["default", "webhooks", "email", "ingest", "long"]
# "db" (the default: django_tasks_db, a worker that polls this database) or "rq" (RQ on Redis through
# django-tasks-rq, for several worker machines); any other value is a backend's dotted path.
_TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "marketdesk.core.taskbackend.RQBackend"}
TASKS_BACKEND = os.environ.get("MARKETDESK_TASKS_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND),
        "QUEUES": TASK_QUEUES,
    }
}

# The outbox (core.outbox, docs/adr/0013): how long a worker's claim on a message lasts, the waits after
# each failed attempt, and how often the sweep delivers what was left behind. Tests of the topology
# shorten them so that faults heal in seconds.
OUTBOX_LEASE_SECONDS = float(os.environ.get("MARKETDESK_OUTBOX_LEASE_SECONDS", "120"))
OUTBOX_RETRY_SECONDS = [
    float(s) for s in os.environ.get("MARKETDESK_OUTBOX_RETRY_SECONDS", "30,120,600,3600,21600").split(",")
]
# Waits before each retry of a webhook within a round (notifications.webhooks): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
WEBHOOK_RETRY_SECONDS = [
    float(s) for s in os.environ.get("MARKETDESK_WEBHOOK_RETRY_SECONDS", "5,300,1800,7200,18000,36000,36000").split(",")
]
OUTBOX_SWEEP_SECONDS = float(os.environ.get("MARKETDESK_OUTBOX_SWEEP_SECONDS", "60"))
# A topic delivered in batches (a case's fan-out) asks for one drain per this many seconds per process,
# not one task per row: what commits meanwhile goes with that drain.
OUTBOX_BATCH_SECONDS = float(os.environ.get("MARKETDESK_OUTBOX_BATCH_SECONDS", "0.2"))

# A request with an Idempotency-Key still unanswered after this many seconds is taken as dead with its
# web process, and a repeat of it runs instead of being told to wait (api.idempotency).
IDEMPOTENCY_ABANDONED_SECONDS = float(os.environ.get("MARKETDESK_IDEMPOTENCY_ABANDONED_SECONDS", "120"))

# A task RUNNING longer than this has lost its worker (marketdesk.core.task_recovery): it runs again,
# up to TASK_MAX_ATTEMPTS workers in all, then is marked failed. Longer than any task takes.
TASK_LEASE = dt.timedelta(seconds=int(os.environ.get("MARKETDESK_TASK_LEASE_SECONDS", "600")))
TASK_MAX_ATTEMPTS = int(os.environ.get("MARKETDESK_TASK_MAX_ATTEMPTS", "3"))

MAILERS = {
    "default": {
        # Outside production, mail is printed to the console unless an SMTP server is named.
        "BACKEND": os.environ.get(
            "MARKETDESK_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION or os.environ.get("MARKETDESK_EMAIL_HOST")
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            "host": os.environ.get("MARKETDESK_EMAIL_HOST", "127.0.0.1"),
            "port": int(os.environ.get("MARKETDESK_EMAIL_PORT", "1025")),
            "username": os.environ.get("MARKETDESK_EMAIL_USER") or None,
            "password": os.environ.get("MARKETDESK_EMAIL_PASSWORD") or None,
            "use_tls": env_bool("MARKETDESK_EMAIL_TLS"),
            "timeout": 10,
        },
    }
}
if MAILERS["default"]["BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {}
# Where links in emails point (the address people open the product at).
MARKETDESK_BASE_URL = os.environ.get("MARKETDESK_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("MARKETDESK_FROM_EMAIL", "marketdesk <no-reply@marketdesk.localhost>")

# Live updates (marketdesk.live, docs/adr/0008): without Redis a web process pushes its own events at
# once and finds those of other processes (worker, ticker, more web processes) by polling every 2 s;
# with Redis every web process hears of every event at once.
MARKETDESK_REDIS_URL = os.environ.get("MARKETDESK_REDIS_URL", "")
if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"]:
    if not MARKETDESK_REDIS_URL:
        raise ImproperlyConfigured("MARKETDESK_TASKS_BACKEND=rq needs MARKETDESK_REDIS_URL")
    INSTALLED_APPS.append("django_rq")
    # A job is a task call; its outcome matters only to the worker's log (the outbox keeps its own state).
    RQ_QUEUES = {queue: {"URL": MARKETDESK_REDIS_URL, "DEFAULT_TIMEOUT": 3600} for queue in TASK_QUEUES}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("MARKETDESK_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["MARKETDESK_CACHE_URL"],
    }

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("MARKETDESK_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# Safe to name for every peer: TrustedProxyMiddleware drops X-Forwarded-Proto unless a trusted proxy sent it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page: scripts and styles from our own origin only (an inline script needs the request's
# nonce, {{ csp_nonce }}; inline event handlers and style attributes are refused), no plugins, no
# framing, forms post here. Responses that set their own policy keep it (attachments.views).
_FILE_SOURCES = [CSP.SELF, "blob:"]  # blob: previews of files being uploaded (messaging)
if _storage_url:
    # Attachments are redirected to presigned URLs of the bucket.
    _FILE_SOURCES.append(STORAGES["attachments"]["OPTIONS"]["endpoint_url"])  # type: ignore[index]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [*_FILE_SOURCES, "data:"],
    "media-src": _FILE_SOURCES,
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# One handler, on the root: Django's own "django" logger would print every line a second time
# through the console handler this replaces, so it hands its records up to the root instead.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_without_stack": {"()": "marketdesk.core.logging.ClientErrorsWithoutStack"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors_without_stack"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("MARKETDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# The marketplace currency shown when nothing else is known.
MARKETDESK_DEFAULT_COUNTRY = os.environ.get("MARKETDESK_COUNTRY", "GB")
