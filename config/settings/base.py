"""Settings shared by every environment. Every setting here is documented in docs/settings.md."""

from __future__ import annotations

import os
from pathlib import Path

from config import env
from xinfang.core.inputs import is_digits

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = env.data_dir()
env.private_dir(DATA_DIR)  # 0700 when created here (issue 11)

SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.env_bool("XINFANG_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("XINFANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "xinfang.directory.admin_apps.XinfangAdminConfig",  # django.contrib.admin on the table (ADR 0013)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its bundled Swagger UI assets: the docs page needs no CDN
    "xinfang.core",
    "xinfang.directory",
    "xinfang.petitions",
    "xinfang.deadlines",
    "xinfang.api",
    "xinfang.web",
    "xinfang.documents",
    "xinfang.feedback",
    "xinfang.portal",
    "xinfang.analytics",
    "xinfang.workbench",
    "xinfang.insight",
    "xinfang.prevention",
    "xinfang.reception",
    "xinfang.resolution",
    "xinfang.routing",
    "xinfang.federation",
    "xinfang.imports",
    "xinfang.exchange",
    "xinfang.demo",  # no models: the generator and `manage.py seed_demo`
    "django_tasks",
    "django_tasks_db",
    "xinfang.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xinfang.web.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Django admin templates with the one-time token (before the admin app's own)
        "DIRS": [BASE_DIR / "xinfang" / "directory" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xinfang.demo.context.demo_preparing",
                "xinfang.core.dbrouter.replica_notice",  # how old a replica-built page may be  # "the demo is still being prepared"
            ],
            # {% once_token %} in every state-changing form (xinfang.core.once_forms).
            "builtins": ["xinfang.core.templatetags.once_token"],
        },
    },
]

DATABASES = {"default": env.database(DATA_DIR)}
# A hot standby for analytics, search and exports (ADR 0015; xinfang.core.dbrouter).
XINFANG_READ_REPLICA = ""
if (_replica := env.replica_database()) is not None:
    DATABASES["replica"] = _replica
    XINFANG_READ_REPLICA = "replica"
DATABASE_ROUTERS = ["xinfang.core.dbrouter.ReplicaRouter"]
# A user who wrote reads from the primary for this many seconds (their own writes).
XINFANG_READ_YOUR_WRITES_SECONDS = int(os.environ.get("XINFANG_READ_YOUR_WRITES_SECONDS", "10"))
# The age a replica-built page admits to when the standby's lag cannot be read.
XINFANG_REPLICA_MAX_LAG_SECONDS = int(os.environ.get("XINFANG_REPLICA_MAX_LAG_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"  # the first page of the role's menu (web.home)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xinfang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"  # whitenoise serves app static files from the finders
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("XINFANG_MEDIA_ROOT", DATA_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Petition procedure policy (law in code, policy here; see docs/settings.md) ---
# When a calendar-day limit ends on a rest day, it ends on the next working day instead
# (民法典 Art. 203 by analogy; regulation.md §5.3 recommends on).
XINFANG_ROLL_DEADLINE_TO_WORKING_DAY = env.env_bool("XINFANG_ROLL_DEADLINE_TO_WORKING_DAY", True)
# The time a hearing takes is not counted in the re-review limit T10 (听证所需时间不计算在前款
# 规定的期限内, Art. 36 para 2). The law does not say how a hearing's days are counted; by
# default every calendar day it occupies counts, its first and last day included (a one-day
# hearing is one day, not zero: regulation.md §5.1 T10). Off: only the days between its start
# and its end (the end date minus the start date).
XINFANG_HEARING_DAYS_INCLUSIVE = env.env_bool("XINFANG_HEARING_DAYS_INCLUSIVE", True)
# The routing round (T1, Art. 22) of a petition taken back from another installation that never
# acknowledged it (issue 20; the law is silent). "remaining" (default, the petitioner's side):
# the days the sending office's limit still had when it handed the petition over, counted from
# the take-back. "full": a new 15 days from the take-back.
XINFANG_TAKE_BACK_ROUND = os.environ.get("XINFANG_TAKE_BACK_ROUND", "remaining")
if XINFANG_TAKE_BACK_ROUND not in ("remaining", "full"):
    raise ValueError(f"XINFANG_TAKE_BACK_ROUND must be remaining or full, got {XINFANG_TAKE_BACK_ROUND!r}")
# Under "remaining", never fewer days than this from the take-back (a hand-over made on the last
# routing day would otherwise leave a round due at once: the office paying for the other
# installation's outage; revB #5). 0..15 days.
_tb_min = os.environ.get("XINFANG_TAKE_BACK_MIN_DAYS", "5")
if not is_digits(_tb_min) or not 0 <= int(_tb_min) <= 15:  # "²" is isdigit() (revB #8)
    raise ValueError(f"XINFANG_TAKE_BACK_MIN_DAYS must be a whole number of days 0..15, got {_tb_min!r}")
XINFANG_TAKE_BACK_MIN_DAYS = int(_tb_min)
# The transfer chain (逐级转送, Art. 22; regulation.md §3.1 T1a): each lower petition office's
# share of the 15-day routing limit, by level, as level=days pairs (levels not named keep the
# default: national 5, province 3, city 3, county 4, township 4), and whether the shares count
# calendar days (the "日" of T1, default) or working days. Never past the round's 15 days.
XINFANG_TRANSFER_SHARES = os.environ.get("XINFANG_TRANSFER_SHARES", "")
XINFANG_TRANSFER_SHARE_UNIT = os.environ.get("XINFANG_TRANSFER_SHARE_UNIT", "calendar_days")
# A running deadline is "due soon" (amber) this many days before its due date.
XINFANG_DUE_SOON_DAYS = int(os.environ.get("XINFANG_DUE_SOON_DAYS", "3"))
# A review or re-review window reopened because a confirmed calendar shows it was still open
# when marked expired runs the days lost again, but at least this many (ADR 0010).
XINFANG_REOPENED_WINDOW_MIN_DAYS = int(os.environ.get("XINFANG_REOPENED_WINDOW_MIN_DAYS", "10"))
# Attachments: largest file and the types accepted (checked by content, not by name).
XINFANG_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("XINFANG_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
)
XINFANG_ATTACHMENTS_PER_PETITION = int(os.environ.get("XINFANG_ATTACHMENTS_PER_PETITION", "20"))
# Seconds after which `xinfang tick` deletes the file of an attachment whose registration never
# committed (a crash between file and row; petitions.services.attachments).
XINFANG_ATTACHMENT_PENDING_GRACE_SECONDS = int(
    os.environ.get("XINFANG_ATTACHMENT_PENDING_GRACE_SECONDS", "3600")
)
# Most representatives a collective petition may name (Art. 20 para 3).
XINFANG_MAX_REPRESENTATIVES = int(os.environ.get("XINFANG_MAX_REPRESENTATIVES", "5"))
# Worklist page size (keyset pagination).
XINFANG_PAGE_SIZE = int(os.environ.get("XINFANG_PAGE_SIZE", "50"))
XINFANG_EXPORT_MAX_ROWS = int(os.environ.get("XINFANG_EXPORT_MAX_ROWS", "100000"))
# A list's 台账 export of at most this many rows is written at once and downloaded; a longer
# one is written by the worker, with a progress page (analytics.exports, issue 16).
XINFANG_EXPORT_BACKGROUND_ROWS = int(os.environ.get("XINFANG_EXPORT_BACKGROUND_ROWS", "5000"))
# Django's cache holds the portal's rate-limit counters and the hot-issues page. By default it
# is a table in the database, so every server process shares the counters; "memory" keeps them
# per process (one process only).
XINFANG_CACHE = os.environ.get("XINFANG_CACHE", "database")
if XINFANG_CACHE not in ("database", "memory"):
    raise ValueError(f"XINFANG_CACHE must be database or memory, got {XINFANG_CACHE!r}")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "xinfang_cache",
    }
    if XINFANG_CACHE == "database"
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Index new petitions' words in a thread of the server process after registration commits.
XINFANG_SEARCH_INDEXER = env.env_bool("XINFANG_SEARCH_INDEXER", True)

# --- Repeat petitions (重信重访) and hot issues (insight.matters*, insight.hot_views) ---
# Lowest similarity (0..1) of an earlier petition listed as "possibly the same matter".
XINFANG_REPEAT_MIN_SCORE = float(os.environ.get("XINFANG_REPEAT_MIN_SCORE", "0.25"))
# Similarity from which a petition of the same petitioner ended by re-review is flagged as a
# possible Art. 36(3) case (a person decides; nothing is refused automatically).
XINFANG_ART36_FLAG_SCORE = float(os.environ.get("XINFANG_ART36_FLAG_SCORE", "0.5"))
# Seconds the hot-issues page keeps a computed result in Django's cache.
XINFANG_HOT_CACHE_SECONDS = int(os.environ.get("XINFANG_HOT_CACHE_SECONDS", "300"))
# CPU seconds one run of the hot-issue worker may spend grouping scopes whose petitions changed
# (insight.hot.snapshots; the rest keep their last result until a later run). 0: no limit.
XINFANG_HOT_REFRESH_SECONDS = float(os.environ.get("XINFANG_HOT_REFRESH_SECONDS", "60"))
# Months of one dispute-screening cycle (矛盾纠纷排查, xinfang.prevention): 1 (monthly), 2, 3, 4,
# 6 or 12.
XINFANG_SCREENING_CYCLE_MONTHS = int(os.environ.get("XINFANG_SCREENING_CYCLE_MONTHS", "1"))
# Notifications of reception (xinfang.reception.notify): console (log), email (Django's mail:
# EMAIL_* settings) or sms (a JSON POST to XINFANG_SMS_GATEWAY_URL).
XINFANG_NOTIFY_BACKEND = os.environ.get("XINFANG_NOTIFY_BACKEND", "console")
XINFANG_SMS_GATEWAY_URL = os.environ.get("XINFANG_SMS_GATEWAY_URL", "")
# Three-level video reception (reception.video): "none" (no link: the office arranges the call)
# or "jitsi" (a room URL on the self-hosted Jitsi Meet at XINFANG_JITSI_URL; nothing is called).
XINFANG_VIDEO_BACKEND = os.environ.get("XINFANG_VIDEO_BACKEND", "none")
XINFANG_JITSI_URL = os.environ.get("XINFANG_JITSI_URL", "")

# --- Public portal and satisfaction evaluation (regulation §8; see docs/settings.md) ---
# Days after a written answer reaches the petitioner during which they may evaluate it.
XINFANG_EVALUATION_WINDOW_DAYS = int(os.environ.get("XINFANG_EVALUATION_WINDOW_DAYS", "30"))
# Failed code-and-password look-ups allowed per client address and per code in the window.
XINFANG_PORTAL_LOOKUP_TRIES = int(os.environ.get("XINFANG_PORTAL_LOOKUP_TRIES", "10"))
XINFANG_PORTAL_LOOKUP_WINDOW_SECONDS = int(
    os.environ.get("XINFANG_PORTAL_LOOKUP_WINDOW_SECONDS", "600")
)

# --- Access, confidentiality and audit (docs/settings.md; ADR 0005) ---
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "xinfang.audit"]


def _insert_after(anchor: str, *names: str) -> None:
    i = MIDDLEWARE.index(anchor) + 1
    MIDDLEWARE[i:i] = list(names)


_insert_after("django.middleware.security.SecurityMiddleware", "csp.middleware.CSPMiddleware")
_insert_after(
    "whitenoise.middleware.WhiteNoiseMiddleware", "xinfang.core.security.PublicLimitsMiddleware"
)
# Bad input (NUL and control characters, invalid UTF-8, huge integers): one 400, before any view.
_insert_after(
    "django.middleware.locale.LocaleMiddleware", "xinfang.core.boundary.InputBoundaryMiddleware"
)
_insert_after(
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinfang.core.dbrouter.ReadYourWritesMiddleware",  # ADR 0015
)
_insert_after(
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xinfang.directory.otp.RequireOTPMiddleware",
    "xinfang.audit.context.AuditContextMiddleware",
)
# Every state-changing form carried out once: its one-time token claimed around the view.
_insert_after(
    "django.contrib.messages.middleware.MessageMiddleware",
    "xinfang.core.once_forms.OnceFormMiddleware",
)

# Encryption at rest of identity numbers and phones: Fernet keys, first encrypts, all decrypt.
XINFANG_FIELD_KEYS = env.field_keys(DATA_DIR)
# Key of the blind indexes (HMAC) that find parties by phone or identity number.
XINFANG_INDEX_KEY = env.named_secret(DATA_DIR, "XINFANG_INDEX_KEY", "index_key")
# Key of the audit chain's HMAC (kept outside the database, so a rewritten chain shows).
XINFANG_AUDIT_KEY = env.named_secret(DATA_DIR, "XINFANG_AUDIT_KEY", "audit_key")
# Seed of this installation's Ed25519 signing key for messages to other installations
# (xinfang.federation, docs/federation.md): kept with the other keys, in the backup.
XINFANG_FEDERATION_KEY = env.named_secret(DATA_DIR, "XINFANG_FEDERATION_KEY", "federation_key")
# Peers are reached over https; plain http only to loopback addresses (tests, one machine).
XINFANG_FEDERATION_TIMEOUT_SECONDS = int(os.environ.get("XINFANG_FEDERATION_TIMEOUT_SECONDS", "20"))
# The largest signed message accepted (a petition with its documents), in bytes.
XINFANG_FEDERATION_MAX_BYTES = int(
    os.environ.get("XINFANG_FEDERATION_MAX_BYTES", str(64 * 1024 * 1024))
)
# The first wait before a message that could not be delivered is sent again (doubling, at most
# an hour); `xinfang tick` sends what is due.
XINFANG_FEDERATION_RETRY_SECONDS = int(os.environ.get("XINFANG_FEDERATION_RETRY_SECONDS", "60"))
# How long a server that found no peer trusts that answer before asking again (a step of an
# installation without peers costs no federation query; issue 20).
XINFANG_FEDERATION_PEER_CHECK_SECONDS = int(
    os.environ.get("XINFANG_FEDERATION_PEER_CHECK_SECONDS", "60")
)
# Where `xinfang tick` writes the signed heads of the audit chains (ADR 0014): in production a
# volume the database administrator cannot write. Empty: no anchors.
XINFANG_AUDIT_ANCHOR_DIR = os.environ.get(
    "XINFANG_AUDIT_ANCHOR_DIR", str(DATA_DIR / "audit-anchors")
)
# Parties' identities are anonymised this many years after their petition closed.
XINFANG_RETENTION_YEARS = int(os.environ.get("XINFANG_RETENTION_YEARS", "10"))

# Login throttling and lockout (xinfang.directory.throttle), shared by every process.
AUTHENTICATION_BACKENDS = ["xinfang.directory.throttle.ThrottledModelBackend"]
XINFANG_LOGIN_FAILURE_LIMIT = int(os.environ.get("XINFANG_LOGIN_FAILURE_LIMIT", "5"))
XINFANG_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("XINFANG_LOGIN_IP_FAILURE_LIMIT", "30"))
XINFANG_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("XINFANG_LOGIN_LOCKOUT_MINUTES", "15"))
AUTH_PASSWORD_VALIDATORS.append({"NAME": "xinfang.directory.passwords.CharacterClassesValidator"})
OTP_TOTP_ISSUER = "xinfang 信访工作平台"

# Cookies and transport. Behind TLS set XINFANG_HTTPS=1: secure cookies, HSTS, __Host- names.
XINFANG_HTTPS = env.env_bool("XINFANG_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = XINFANG_HTTPS
if XINFANG_HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "xinfang.core.boundary.csrf_failure"  # the site's page, not Django's
SESSION_COOKIE_AGE = int(os.environ.get("XINFANG_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: this host only, no inline script or style, no framing.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# The public paths (the portal): largest request and writes per address per hour.
XINFANG_PUBLIC_PATHS = ["/portal/"]
# One-time form tokens and API Idempotency-Keys are remembered this many days (core.once).
XINFANG_ONCE_DAYS = int(os.environ.get("XINFANG_ONCE_DAYS", "7"))
# Roles granted only with a second administrator's approval, besides the admin role itself
# (comma-separated role codes, e.g. "registrar,handler,organ_head"; issue 11, ADR 0013).
XINFANG_TWO_PERSON_ROLES = os.environ.get("XINFANG_TWO_PERSON_ROLES", "")
# Supervision (Art. 40): the written-reply period of a supervision notice (R05 Art. 36: 30 days)
# and the escalation ladder on every deadline (resolution/ladder.py).
XINFANG_SUPERVISION_REPLY_DAYS = int(os.environ.get("XINFANG_SUPERVISION_REPLY_DAYS", "30"))
XINFANG_ESCALATION_WARN_PERCENT = int(os.environ.get("XINFANG_ESCALATION_WARN_PERCENT", "80"))
XINFANG_ESCALATION_HIGHER_DAYS = int(os.environ.get("XINFANG_ESCALATION_HIGHER_DAYS", "5"))
XINFANG_PUBLIC_MAX_BYTES = int(os.environ.get("XINFANG_PUBLIC_MAX_BYTES", str(25 * 1024 * 1024)))
XINFANG_PUBLIC_POSTS_PER_HOUR = int(os.environ.get("XINFANG_PUBLIC_POSTS_PER_HOUR", "30"))
# Open311 GeoReport v2 discovery (exchange/open311): who to contact, where keys are asked for,
# and when the service list last changed.
XINFANG_OPEN311_CONTACT = os.environ.get("XINFANG_OPEN311_CONTACT", "")
XINFANG_OPEN311_KEY_SERVICE = os.environ.get("XINFANG_OPEN311_KEY_SERVICE", "")
XINFANG_OPEN311_CHANGESET = os.environ.get("XINFANG_OPEN311_CHANGESET", "2026-12-07T00:00:00+08:00")
# Per api_key: at most this many requests in each window (0: no limit); beyond, 429 with
# Retry-After (issue 20). Counted in CACHES (per process unless XINFANG_CACHE=database).
XINFANG_OPEN311_RATE_LIMIT = int(os.environ.get("XINFANG_OPEN311_RATE_LIMIT", "120"))
XINFANG_OPEN311_RATE_WINDOW_SECONDS = int(
    os.environ.get("XINFANG_OPEN311_RATE_WINDOW_SECONDS", "60")
)
# A POST without Idempotency-Key that repeats the same key's same payload within this many
# seconds is answered as the first, not registered again (a client's retry; issue 20).
XINFANG_OPEN311_DEDUPE_SECONDS = int(os.environ.get("XINFANG_OPEN311_DEDUPE_SECONDS", "600"))
# Request bodies read into memory (API registration carries Base64 attachments).
DATA_UPLOAD_MAX_MEMORY_SIZE = XINFANG_ATTACHMENT_MAX_BYTES * 2

# --- Operations: server, worker, health, metrics, logs (xinfang.ops; docs/settings.md) ---
# The background tasks (search index, repeat-index snapshot) go through Django's task framework
# into a table of the database; `xinfang worker` runs them (django-tasks' database backend).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds without a heartbeat of `xinfang worker` after which /-/ready and `check --deploy`
# report it missing.
XINFANG_WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("XINFANG_WORKER_HEARTBEAT_MAX_AGE", "120"))
# Least free space (MB) in the data and media folders for /-/ready.
XINFANG_MIN_FREE_DISK_MB = int(os.environ.get("XINFANG_MIN_FREE_DISK_MB", "1024"))
# Bearer token that lets a monitoring server elsewhere read /-/metrics (else loopback only).
XINFANG_METRICS_TOKEN = os.environ.get("XINFANG_METRICS_TOKEN", "")
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For/-Proto are believed.
XINFANG_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("XINFANG_TRUSTED_PROXIES", "").split(",") if p.strip()
]
if XINFANG_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Longest SQL statement of a web request on PostgreSQL (seconds; 0: none). Read by config.env.
XINFANG_DB_STATEMENT_TIMEOUT = int(os.environ.get("XINFANG_DB_STATEMENT_TIMEOUT", "30"))
if XINFANG_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^-/"]  # health probes and metrics from the host itself
# Logs: one JSON object per line ("json") or readable lines ("console"); the access log.
XINFANG_LOG_FORMAT = os.environ.get("XINFANG_LOG_FORMAT", "json")
XINFANG_ACCESS_LOG = env.env_bool("XINFANG_ACCESS_LOG", True)
from config.logging import logging_config  # noqa: E402

LOGGING = logging_config(
    fmt=XINFANG_LOG_FORMAT,
    level=os.environ.get("XINFANG_LOG_LEVEL", "WARNING"),
    access_log=XINFANG_ACCESS_LOG,
)
MIDDLEWARE.insert(0, "xinfang.ops.middleware.RequestMiddleware")
FILE_UPLOAD_PERMISSIONS = 0o600  # attachments: readable by the service user only
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
