"""PairUp settings: everything comes from environment variables, with safe defaults for
the embedded SQLite setup. `DEBUG=false` means production: SECRET_KEY, ALLOWED_HOSTS and
SITE_URL are then required, and secure cookies and HSTS are on. `.env.example` lists every
variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    """A string from the environment; `NAME_FILE` (a path) wins, for secrets in files."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = env(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def envint(name: str, default: str) -> int:
    value = env(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("PAIRUP_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = envbool("DEBUG", "true")


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG=false (production)")
    # Development: generate once and keep it, so sessions survive a restart.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG=false (production)")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")


def _site_url() -> str:
    """The public address that emails, unsubscribe links and calendar feeds point to. A
    production deploy that forgot it would send every link to 127.0.0.1, so it is required
    there; development defaults to the address `make run` serves."""
    given = env("SITE_URL").strip()
    value = given.rstrip("/")
    if not value:
        if not DEBUG:
            raise ImproperlyConfigured(
                "SITE_URL is required when DEBUG=false (production): the public address "
                "that emails and calendar links point to, e.g. https://mentoring.example.org"
            )
        return "http://127.0.0.1:8000"
    parsed = urlsplit(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"SITE_URL={given!r} is not an absolute http(s) address "
            "(e.g. https://mentoring.example.org)"
        )
    if parsed.path or parsed.query or parsed.fragment:
        # Links are built as SITE_URL + reverse(...), and reverse() already has any prefix.
        raise ImproperlyConfigured(
            f"SITE_URL={given!r}: give only the scheme and host (and port), with no path"
        )
    return value


SITE_URL = _site_url()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "pairup.core",
    "pairup.accounts",
    "pairup.topics",
    "pairup.programs",
    "pairup.notifications",
    "pairup.availability",
    "pairup.asks",
    "pairup.sessions",
    "pairup.events",
    "pairup.insights",
    # Holds only the history of migrations from before availability and sessions split.
    "pairup.scheduling",
    "pairup.site",
]

MIDDLEWARE = [
    # First: the load balancer's probe needs no session, Host check or HTTPS redirect.
    "pairup.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The live room's state, polled by every phone of an event: answered without the rest
    # of the stack when the session verifies (pairup.events.live_fastpath).
    "pairup.events.live_fastpath.LiveStateMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pairup.core.middleware.UserTimezoneMiddleware",
    "pairup.core.middleware.ChannelMiddleware",
]

ROOT_URLCONF = "pairup.site.urls"
WSGI_APPLICATION = "pairup.wsgi.application"

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
                "pairup.site.context.nav",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL=postgres://... switches.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pairup.sqlite3'}")
if DATABASE_URL.startswith("sqlite"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# PostgreSQL connections are kept open between requests (DB_CONN_MAX_AGE seconds, 60 by
# default): opening one costs a few milliseconds of TCP, authentication and a new backend
# process, which under load was most of a short request. Each gunicorn (sync) worker then
# holds one connection, so this is a pool of one per process: count workers x servers
# against PostgreSQL's max_connections. Health checks drop a connection the database closed
# (a restart, an idle timeout) before a request uses it. SQLite opens a file: nothing to keep.
_IS_SQLITE = DATABASE_URL.startswith("sqlite")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", "0" if _IS_SQLITE else "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so checks inside a transaction are serialised.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": str(VAR_DIR / "test.sqlite3")}
        if envbool("PAIRUP_TEST_SQLITE_FILE", "false")
        else {}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared state (sign-in rate limits) lives in the database by default, or in Redis.
REDIS_URL = env("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions are read from Redis and written through to the database: one query less on
    # every signed-in request (a thousand phones polling a live room, docs/benchmarks.md).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pairup_cache",
            # Django's default of 300 entries would cull the insights' figures and stamps
            # (one per figure, filter and table) and suggestions within minutes.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Background jobs (emails, invitation expiry, reminders): django-tasks on the database;
# `pairup db_worker` runs them. TASKS_BACKEND may name another backend (e.g. an RQ one).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; verification is mandatory; rate limits use the cache.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Say plainly that an address is taken (rate limits keep probing slow); set true to hide it.
ACCOUNT_PREVENT_ENUMERATION = envbool("ACCOUNT_PREVENT_ENUMERATION", "false")
# One click: the emailed link verifies as soon as it is opened (no extra Confirm button).
# It stays safe: the link carries an HMAC-signed key that expires after three days and works
# only while the address is unverified; it signs the person in only in the browser session
# that signed up (allauth keeps the half-finished sign-in there), so a mail scanner or a
# forwarded link that opens it verifies the address but signs nobody in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# A new person goes on to the first-run guide (pairup.site.welcome).
ACCOUNT_SIGNUP_REDIRECT_URL = "welcome"
ACCOUNT_ADAPTER = "pairup.accounts.adapter.AccountAdapter"
# Failed sign-ins (web form and POST /api/v1/auth/token alike, one counter): 10 a minute
# from one address across all accounts; and per (address, account) a backoff of 5 in five
# minutes, then 20 in an hour. The key is the pair, never the account alone, so guesses from
# elsewhere cannot lock the owner out (see pairup.accounts.adapter). Successes don't count.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key,20/h/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PairUp] "

# Email: the console by default; EMAIL_URL-style SMTP settings for production.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "true")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PairUp <pairup@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "UTC")
if TIME_ZONE not in available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Uploaded files (profile photos), through Django's default storage. Development serves them
# itself (SERVE_MEDIA, on with DEBUG); production lets the reverse proxy serve MEDIA_ROOT at
# MEDIA_URL (docs/deploy.md). With several app servers MEDIA_ROOT must be shared storage.
# (An empty value, as in .env.example, means the default.)
MEDIA_URL = env("MEDIA_URL").strip() or "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT").strip() or VAR_DIR / "media")
SERVE_MEDIA = envbool("SERVE_MEDIA", "") if env("SERVE_MEDIA").strip() else DEBUG
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The API accepts a signed-in browser session (with CSRF) as well as bearer tokens.
NINJA_PAGINATION_PER_PAGE = 20
# Every request to the token endpoint, successes too, per address: the web form's "login" rate.
API_TOKEN_RATE = env("API_TOKEN_RATE", "30/m")
# How many proxies of ours sit in front (0: clients connect directly and X-Forwarded-For is
# ignored). pairup.core.net.client_ip reads it for every per-address limit; allauth and
# django-ninja get the same count so that any code of theirs agrees.
NUM_PROXIES = envint("NUM_PROXIES", "0") if env("NUM_PROXIES").strip() else 0  # empty: 0
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES={NUM_PROXIES} must be 0 or more")
NINJA_NUM_PROXIES = NUM_PROXIES
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES
# The owner is told (in-app and by email, once per window) after this many failed sign-ins
# to their account within SIGNIN_ALERT_WINDOW seconds, from any address.
SIGNIN_ALERT_FAILURES = 5
SIGNIN_ALERT_WINDOW = 60 * 60

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only this site's own files run or style a page; no
# inline script, inline style, style attribute, eval or plugin. Templates keep to that
# (behaviour lives in static/pairup/app.js, looks in app.css), and htmx is told not to
# inject its indicator <style> (the htmx-config meta tag in base.html). The API docs at
# /api/v1/docs need no exception: with "ninja" installed, django-ninja serves Swagger UI from
# its own static files and an init script, its settings in a JSON data block (no CDN, no
# inline code), so the docs stay on and under this same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        # Production is served over HTTPS only; a stray http:// asset is upgraded, not mixed.
        **({} if DEBUG else {"upgrade-insecure-requests": True}),
    },
}

# Permissions-Policy (django-permissions-policy): PairUp uses no device or payment API, so
# none may be used by the site or anything it would ever frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
    if envbool("BEHIND_PROXY", "false"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mentors' own busy-calendar feeds are fetched by the server: private and loopback
# addresses are refused unless this is true (a server inside a private network).
BUSY_FEED_ALLOW_PRIVATE = envbool("BUSY_FEED_ALLOW_PRIVATE", "false")

# Who may start a program: site staff always; with this on, anyone signed in (who becomes
# the new program's admin). Off by default: an organisation's programs are set up by its staff.
PAIRUP_SELF_SERVICE_PROGRAMS = envbool("PAIRUP_SELF_SERVICE_PROGRAMS", "false")

# Demo logins exist only when the demo is loaded, and never with production settings.
DEMO_ALLOWED = DEBUG and envbool("PAIRUP_DEMO", "true")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
