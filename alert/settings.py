"""Settings for ALERT results records, read from environment variables.

SQLite in the project folder is the default so that a checkout just runs;
production sets DATABASE_URL (PostgreSQL), DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS. See docs/operations.md.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# DJANGO_DEBUG=1 is local development (make run): a built-in secret, localhost,
# plain HTTP, static files straight from the source folders. Django's debug
# pages (tracebacks, a 404 that lists every URL pattern) need
# DJANGO_DEBUG_PAGES=1 as well: without it even `make run` serves the site's
# own error pages, as production does.
DEVELOPMENT = envbool("DJANGO_DEBUG", False)
DEBUG = DEVELOPMENT and envbool("DJANGO_DEBUG_PAGES", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
            "for local development set DJANGO_DEBUG=1 instead (make run does)."
        )
    SECRET_KEY = "development-only-insecure-key-never-used-with-debug-off"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEVELOPMENT else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. Production needs the host names the site is "
        "served under, comma-separated (e.g. results.example.org)."
    )
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The admin's path, e.g. "records-admin/" (a trailing slash, no leading slash).
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "alert.uploads",
    "units",
    "reporting",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    "alert.middleware.DatabaseUnavailableMiddleware",
    # django-axes last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alert.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "alert.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's own: the user and their permissions are read for each request.
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-ca"
TIME_ZONE = "America/Edmonton"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
# In development WhiteNoise serves the source folders (runserver serves static
# files only with DEBUG on, which the debug pages need: see DEVELOPMENT).
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT
# Uploaded files (the admin's import previews) live here; with several app
# servers it must be one shared volume (see docs "Running in production").
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Anyone may read published years' summaries and downloads without signing in
# (no drafts, no staff panel, no internal notes): reporting.access applies it.
ALERT_PUBLIC_REPORTS = envbool("ALERT_PUBLIC_REPORTS", False)

# Each release's open-data package (datapackage.json) names its licence and
# attribution from these; empty, the package says none has been set yet.
ALERT_OPEN_DATA_LICENCE_NAME = os.environ.get(
    "ALERT_OPEN_DATA_LICENCE_NAME", ""
)  # e.g. OGL-Alberta-2.0
ALERT_OPEN_DATA_LICENCE_PATH = os.environ.get("ALERT_OPEN_DATA_LICENCE_PATH", "")  # its address
ALERT_OPEN_DATA_LICENCE_TITLE = os.environ.get("ALERT_OPEN_DATA_LICENCE_TITLE", "")
ALERT_OPEN_DATA_ATTRIBUTION = os.environ.get("ALERT_OPEN_DATA_ATTRIBUTION", "")

# Imports: the largest upload accepted, in bytes (default 10 MB), and the most
# rows of figures one file may hold (a 10 MB long-form CSV holds about 290,000).
ALERT_IMPORT_MAX_BYTES = envint("ALERT_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
ALERT_IMPORT_MAX_ROWS = envint("ALERT_IMPORT_MAX_ROWS", 300_000)
# Previews one person may hold at once (each keeps its file until confirmed,
# cancelled or swept after a day): alert.importexport.previews_refusal.
ALERT_IMPORT_MAX_HELD_PREVIEWS = envint("ALERT_IMPORT_MAX_HELD_PREVIEWS", 10)
# An upload is capped while it arrives: past ALERT_IMPORT_MAX_BYTES its bytes
# are counted and dropped, never kept (reporting.importing.uploads). Uploads
# over FILE_UPLOAD_MAX_MEMORY_SIZE (Django's default, 2.5 MB) go to a
# temporary file rather than memory. A request body (an API's JSON, a form's
# fields) has the same limit, one setting: Django's own check follows it, so
# that it never answers an HTML 400 below the API's documented JSON 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = ALERT_IMPORT_MAX_BYTES
FILE_UPLOAD_HANDLERS = [
    "reporting.importing.uploads.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

REST_FRAMEWORK = {
    # The REST API (reporting/api/); its schema also documents the error answers.
    "DEFAULT_SCHEMA_CLASS": "reporting.api.schema.AutoSchema",
    # Token first, so that an anonymous request gets 401 with
    # "WWW-Authenticate: Token" rather than a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["reporting.api.permissions.ModelPermissions"],
    # JSON only: no browsable API (its pages need inline script and style the
    # content policy forbids). People read the API in its Swagger/Redoc pages.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "reporting.api.parsers.ExactJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "reporting.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "reporting.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's own, on the shared cache. Each keeps a client's recent request
        # times as one list read and written back whole: two requests racing
        # on two servers may count once. A little inexact, on purpose: the
        # limits are generous and a lost count costs nothing.
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("ALERT_API_ANON_RATE", "60/minute"),
        "user": os.environ.get("ALERT_API_USER_RATE", "3000/minute"),
        "bulk": os.environ.get("ALERT_API_BULK_RATE", "60/minute"),
    },
    "COERCE_DECIMAL_TO_STRING": True,  # figures are exact: "2725161.00", never a float
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The API's documentation pages load Swagger UI and Redoc from this server
# (drf-spectacular-sidecar), never from a CDN: the CSP allows only 'self'.
SPECTACULAR_SETTINGS = {
    "TITLE": "ALERT results records API",
    "DESCRIPTION": (
        "Every figure of ALERT's published results, readable by staff and writable with "
        "permission. Figures (decimals) are JSON strings with two decimal places, for "
        'example "2725161.00"; they are exact, never floats. Authenticate with the header '
        "`Authorization: Token YOUR-KEY` (an administrator issues tokens in the admin, "
        "under Auth Token › Tokens) or a logged-in session. Errors answer 400 (per-field "
        "messages), 401, 403, 404, 409 (the fiscal year is locked) or 429 (slow down)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its pages: for accounts with a role, as the API itself.
    "SERVE_PERMISSIONS": ["reporting.api.permissions.HasRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}
# The largest list the bulk upsert accepts in one request.
ALERT_API_BULK_MAX_ROWS = envint("ALERT_API_BULK_MAX_ROWS", 10000)

# The cache. With REDIS_URL set (e.g. redis://127.0.0.1:6379/0), one Redis
# shared by every app server holds what they must agree on: the rendered
# summary per records version, the API's throttle counts, sessions (in front
# of the database).
# Without it, each process keeps its own in memory, which is right for one
# process (make run) and nothing else. ALERT_CACHE_KEY_PREFIX separates
# installations (or test runs) sharing one Redis.
#
# The cache is never the only copy of anything: while Redis is unreachable
# every read misses and every write is dropped (alert.cache), and the site
# works from the database. The timeouts (ALERT_CACHE_TIMEOUT_MS, default 500 ms) bound
# what an unreachable Redis costs each cache call.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
_cache_timeout = float(envint("ALERT_CACHE_TIMEOUT_MS", 500)) / 1000
CACHES = {
    "default": (
        {
            "BACKEND": "alert.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_timeout,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("ALERT_CACHE_KEY_PREFIX", "alert")

# Sessions: in the database (shared by every app process) with the cache in
# front, expiring after DJANGO_SESSION_COOKIE_AGE seconds (default 8 hours)
# and when the browser closes.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS. The app normally runs behind a proxy that ends TLS; it trusts the
# header named in DJANGO_SECURE_PROXY_SSL_HEADER (default X-Forwarded-Proto)
# to say the request came in over HTTPS. Set it to "" when nothing sits in
# front of gunicorn. DJANGO_SECURE_SSL_REDIRECT=0 serves plain HTTP (only for
# a loopback load test; never in production).
_proxy_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", not DEVELOPMENT)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the load balancer probes over plain HTTP
SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 0 if DEVELOPMENT else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): nothing inline, nothing from
# elsewhere. Scripts the admin and the API docs must run inline get the
# per-request nonce ({{ request.csp_nonce }}) instead of 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # django-import-export's export page toggles "select all" with one fixed
        # inline handler, allowed by its hash alone.
        "script-src": [
            SELF,
            NONCE,
            UNSAFE_HASHES,
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
        ],  # onSelectToggleChange(event)
        "style-src": [SELF, NONCE],
        # Three fixed style attributes in simple-history's and import-export's
        # admin templates, allowed by hash (not any inline style).
        "style-src-attr": [
            UNSAFE_HASHES,
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",  # border-top: 0
            "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",  # padding: 0;
            "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='",  # font-weight: bold;
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


# Login throttling (django-axes): after DJANGO_AXES_FAILURE_LIMIT failed
# logins for one username from one address, that pair is locked out for
# DJANGO_AXES_COOLOFF_HOURS. Attempts and lockouts are listed in the admin;
# `manage.py axes_reset` (or axes_reset_username) clears them.
AXES_ENABLED = envbool("DJANGO_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("DJANGO_AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = envbool("DJANGO_AXES_VERBOSE", False)
# Failed attempts and lockouts are counted in the database (axes' default,
# named here on purpose): sign-in throttling holds while the cache is down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The client's address: X-Forwarded-For is believed only when the request
# comes from one of DJANGO_TRUSTED_PROXIES (addresses or CIDR networks of our
# own proxies; none by default, so a client cannot choose its own address).
ALERT_TRUSTED_PROXIES = envlist("DJANGO_TRUSTED_PROXIES", [])
for _proxy in ALERT_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an address or a network "
            "(write for example 10.0.0.5 or 10.0.0.0/24)"
        ) from _exc
AXES_CLIENT_IP_CALLABLE = "alert.security.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The summary pages' own login page (the admin keeps its own).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Mail (password links): DJANGO_EMAIL_BACKEND names a backend; by default
# mail goes by SMTP to EMAIL_HOST when it is set, and is printed to the
# console otherwise (local development). See docs/operations.md.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "results@localhost")
# The address people reach this installation at, for the links in the
# reporting cycle's emails (no trailing slash).
ALERT_SITE_URL = os.environ.get("ALERT_SITE_URL", "http://localhost:8000").rstrip("/")
# Off: a unit-quarter is approved by another administrator than the one who
# submitted it. On: one person may do both (small teams). docs/administration.md.
ALERT_ONE_PERSON_APPROVAL = envbool("ALERT_ONE_PERSON_APPROVAL", False)
# A password link works for this many seconds (default three days) and once.
PASSWORD_RESET_TIMEOUT = envint("DJANGO_PASSWORD_RESET_TIMEOUT", 3 * 24 * 60 * 60)
# Requests for a password link: at most this many per hour per client address,
# and as many per email address.
ALERT_PASSWORD_RESET_LIMIT = envint("ALERT_PASSWORD_RESET_LIMIT", 5)
