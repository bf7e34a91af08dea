"""Settings of every Seams process, read from the environment once, here.

``.env`` files are read only when ``DJANGO_READ_DOT_ENV_FILE`` is on. Production
secrets have no default: with DEBUG off the process refuses to start without
``SECRET_KEY``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

from extraction.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise SystemExit(
            "Seams refuses to start: SECRET_KEY is not set and DEBUG is off "
            "(set SECRET_KEY in the environment, or DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Which bounded apps run in this process (the monolith runs them all) ---------
ALL_SERVICES = ("users", "orders", "payments")
SEAMS_SERVICES: tuple[str, ...] = tuple(env.list("SEAMS_SERVICES", default=list(ALL_SERVICES)))
_unknown = sorted(set(SEAMS_SERVICES) - set(ALL_SERVICES))
if _unknown or not SEAMS_SERVICES:
    raise SystemExit(
        f"Seams refuses to start: SEAMS_SERVICES={','.join(SEAMS_SERVICES)!r} must name "
        f"one or more of {', '.join(ALL_SERVICES)} (unknown: {', '.join(_unknown) or 'none'})."
    )

# The base URL of each bounded app that runs in another process, for example
# "payments=http://payments:8000": its contract is then called over the internal RPC
# endpoint (docs/rpc.md). Parsed here once; the contract registry binds from it.
SEAMS_SERVICE_URLS: dict[str, str] = {
    service: url.rstrip("/")
    for service, url in env.dict("SEAMS_SERVICE_URLS", default={}).items()
    if url
}
_unknown_urls = sorted(set(SEAMS_SERVICE_URLS) - set(ALL_SERVICES))
_local_urls = sorted(set(SEAMS_SERVICE_URLS) & set(SEAMS_SERVICES))
if _unknown_urls or _local_urls:
    raise SystemExit(
        "Seams refuses to start: SEAMS_SERVICE_URLS names "
        + (f"unknown apps ({', '.join(_unknown_urls)})" if _unknown_urls else "")
        + (" and " if _unknown_urls and _local_urls else "")
        + (f"apps of this process ({', '.join(_local_urls)})" if _local_urls else "")
        + f"; give URLs only for apps outside SEAMS_SERVICES among {', '.join(ALL_SERVICES)}."
    )

INSTALLED_APPS = [
    # First: its createsuperuser (accounts live in the users app) replaces auth's.
    "extraction.identity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "extraction",
    "project",
    *(f"apps.{service}" for service in ALL_SERVICES if service in SEAMS_SERVICES),
]
# The same user model in every process, whichever apps run here: the local staff
# shadow, filled through the users contract at each admin sign-in. The users app
# owns the accounts, credentials and grants (docs/identity.md). Never make this
# depend on SEAMS_SERVICES: Django cannot change AUTH_USER_MODEL under a database.
AUTH_USER_MODEL = "identity.StaffUser"
AUTHENTICATION_BACKENDS = ["extraction.identity.backends.UsersContractBackend"]
# A signed-in admin session re-confirms its staff member with the users contract
# once its shadow is older than this: a deactivated or demoted account loses the
# admin of every service within this delay.
SEAMS_STAFF_RESYNC_SECONDS = env.int("SEAMS_STAFF_RESYNC_SECONDS", default=300)

MIDDLEWARE = [
    # First: every later line of the request logs with its correlation id.
    "extraction.observability.middleware.CorrelationMiddleware",
    "extraction.observability.middleware.RequestMetricsMiddleware",
    # Before the Host check and the HTTPS redirect: probes and scrapes come by pod IP.
    "extraction.observability.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Forwards the public routes of the apps that run elsewhere (docs/split.md).
    "extraction.gateway.middleware.GatewayMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets a contract call made while serving a request send the request's end user.
    "extraction.rpc.identity.CurrentRequestMiddleware",
    # Django's, with the storage built only when a view uses messages (the admin).
    "apikit.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database: one per process -----------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'seams.sqlite3'}")}
# Persistent connections (production default 60 s): a new PostgreSQL connection
# costs more than a checkout's SQL. Django keeps one per thread and closes it at a
# request's start or end once it is older than this or broken, and the health
# check looks at a reused connection once per request before using it, so a database
# restart costs one request nothing but a reconnect. Safe with gunicorn's gthread
# workers (each thread reuses its own connection: at most workers x threads per
# process against max_connections) and with Celery (its Django fixup applies the
# same rule around each task, see CELERY_DB_REUSE_MAX). Off with DEBUG: runserver
# starts a thread per request, which would leave a connection behind each time.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with a health check that polls the socket instead of a
    # SELECT 1 round trip per request (project/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "project.postgresql"
SQLITE_BUSY_TIMEOUT_SECONDS = env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
    # SQLite has one writer at a time. A transaction that begins as a reader and
    # then writes cannot wait for the write lock ("database is locked" at once),
    # so every transaction takes it when it begins (IMMEDIATE) and waits for it
    # up to the busy timeout; WAL lets readers go on while one request writes.
    # Past the timeout the API answers 503 database_busy with Retry-After.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=SQLITE_BUSY_TIMEOUT_SECONDS,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # The users app's account has ``full_name``, not Django's first/last name.
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the app directories too, so runserver and tests need
# no collectstatic (production images run collectstatic at build time).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Security: secure by default, relaxed only with DEBUG ---------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # TLS ends at the ingress / load balancer, which sets X-Forwarded-Proto (see
    # deploy/): trust that header, redirect plain HTTP, and send HSTS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Service-to-service calls reach the pod directly over plain HTTP inside the
    # cluster: never redirected (probes and scrapes are answered before the redirect).
    SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[r"^internal/"])
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Events: outbox, relay, inbox ----------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker means the embedded default: events are delivered in this process
# right after the publishing transaction commits.
SEAMS_EVENT_DELIVERY = "broker" if CELERY_BROKER_URL else "inprocess"
SEAMS_OUTBOX_MAX_ATTEMPTS = env.int("SEAMS_OUTBOX_MAX_ATTEMPTS", default=8)
SEAMS_OUTBOX_RETRY_BASE_SECONDS = env.float("SEAMS_OUTBOX_RETRY_BASE_SECONDS", default=2.0)
SEAMS_OUTBOX_RETRY_MAX_SECONDS = env.float("SEAMS_OUTBOX_RETRY_MAX_SECONDS", default=600.0)
# Embedded default: besides the retries it scheduled itself, a process sweeps the
# outbox for due rows (left by a crash, or failed in another process) at most
# this often, piggybacking on a commit.
SEAMS_OUTBOX_SWEEP_SECONDS = env.float("SEAMS_OUTBOX_SWEEP_SECONDS", default=10.0)
# Broker mode (see docs/events.md): the topic exchange is "<prefix>.events" and each
# consuming service has its durable queue "<prefix>.<service>"; tests isolate
# themselves with a prefix of their own.
SEAMS_EVENTS_PREFIX = env.str("SEAMS_EVENTS_PREFIX", default="seams")
SEAMS_RELAY_BATCH_SIZE = env.int("SEAMS_RELAY_BATCH_SIZE", default=500)
# A worker whose database is down hands each message back to the broker after
# this backoff (doubling per consecutive failure, capped), instead of at once.
SEAMS_CONSUMER_DB_BACKOFF_BASE_SECONDS = env.float(
    "SEAMS_CONSUMER_DB_BACKOFF_BASE_SECONDS", default=0.5
)
SEAMS_CONSUMER_DB_BACKOFF_MAX_SECONDS = env.float(
    "SEAMS_CONSUMER_DB_BACKOFF_MAX_SECONDS", default=30.0
)
# The relay wakes on NOTIFY (PostgreSQL) right after a commit; it polls at this
# interval as a fallback, and for the failed rows that come due.
SEAMS_RELAY_POLL_SECONDS = env.float("SEAMS_RELAY_POLL_SECONDS", default=1.0)
SEAMS_RELAY_RECONNECT_MAX_SECONDS = env.float("SEAMS_RELAY_RECONNECT_MAX_SECONDS", default=30.0)
SEAMS_RELAY_CONFIRM_TIMEOUT_SECONDS = env.float("SEAMS_RELAY_CONFIRM_TIMEOUT_SECONDS", default=30.0)
# Retention of completed rows (published outbox rows, resolved delivery failures)
# and of the inbox, whose rows are what makes a late redelivery a no-op.
SEAMS_OUTBOX_RETENTION_DAYS = env.int("SEAMS_OUTBOX_RETENTION_DAYS", default=7)
SEAMS_INBOX_RETENTION_DAYS = env.int("SEAMS_INBOX_RETENTION_DAYS", default=30)
# Extra modules that subscribe handlers (test and benchmark probes only).
SEAMS_EXTRA_HANDLER_MODULES = env.list("SEAMS_EXTRA_HANDLER_MODULES", default=[])

# The module that creates the Celery app, imported by the first task declared
# (apikit.tasks), not by every process that loads these settings.
SEAMS_CELERY_APP = "project.celery"
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The worker logs through LOGGING (structlog, correlation ids) instead of its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages each pool slot holds ahead: handlers mostly wait on the database, and on
# two cores a prefetch of one left the worker the bottleneck (docs/events.md).
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=8)
# Threads of the worker's pool (the process files start it with -P threads).
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=4)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Celery's Django fixup closes the database connection around every task unless
# told to reuse it: a new PostgreSQL connection per event costs more than the
# handler (measured: 2.4 ms of 4.7 ms per message).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULE = {
    "seams-outbox-purge": {"task": "seams.outbox.purge", "schedule": 3600.0},
    "seams-outbox-redrive": {"task": "seams.outbox.redrive", "schedule": 60.0},
}
if "payments" in SEAMS_SERVICES:
    CELERY_BEAT_SCHEDULE["payments-resolve"] = {"task": "payments.resolve", "schedule": 60.0}
if "orders" in SEAMS_SERVICES:
    CELERY_BEAT_SCHEDULE["orders-retry-refund-requests"] = {
        "task": "orders.retry_refund_requests",
        "schedule": 60.0,
    }

# --- Contracts across processes (docs/rpc.md) ------------------------------------------
# HMAC keys of the internal RPC endpoint: callers sign with the first, providers accept
# any (rotation). Required when this process calls or serves another one.
SEAMS_RPC_KEYS: list[str] = env.list("SEAMS_RPC_KEYS", default=[])
if not SEAMS_RPC_KEYS and DEBUG:
    SEAMS_RPC_KEYS = ["django-insecure-rpc-development-only"]
if SEAMS_SERVICE_URLS and not SEAMS_RPC_KEYS:
    raise SystemExit(
        "Seams refuses to start: SEAMS_SERVICE_URLS names remote services but SEAMS_RPC_KEYS "
        "is empty (set the same key list in every process)."
    )
# A signed request older (or newer) than this is refused; a nonce is remembered twice as long.
SEAMS_RPC_SIGNATURE_WINDOW_SECONDS = env.float("SEAMS_RPC_SIGNATURE_WINDOW_SECONDS", default=30.0)
# Redis for the circuit breakers' state, shared by every process and worker; without it
# each process keeps its own. (The replay store's nonces are in the default cache.)
SEAMS_RPC_REDIS_URL = env.str("SEAMS_RPC_REDIS_URL", default="")
SEAMS_RPC_REDIS_PREFIX = env.str("SEAMS_RPC_REDIS_PREFIX", default="seams:rpc")
SEAMS_RPC_CONNECT_TIMEOUT_SECONDS = env.float("SEAMS_RPC_CONNECT_TIMEOUT_SECONDS", default=0.5)
SEAMS_RPC_READ_TIMEOUT_SECONDS = env.float("SEAMS_RPC_READ_TIMEOUT_SECONDS", default=5.0)
# Per-method read timeouts, e.g. "PaymentsService.refund_order_payment_v2=30" (the
# refunds wait for the payment gateway).
SEAMS_RPC_METHOD_READ_TIMEOUTS: dict[str, float] = env.dict(
    "SEAMS_RPC_METHOD_READ_TIMEOUTS",
    cast={"value": float},
    default={
        "PaymentsService.refund_order_payment": 30.0,
        "PaymentsService.refund_order_payment_v2": 30.0,
    },
)
# Retries of @idempotent methods only (every other method is attempted once).
SEAMS_RPC_RETRIES = env.int("SEAMS_RPC_RETRIES", default=2)
SEAMS_RPC_RETRY_BACKOFF_SECONDS = env.float("SEAMS_RPC_RETRY_BACKOFF_SECONDS", default=0.05)
SEAMS_RPC_POOL_SIZE = env.int("SEAMS_RPC_POOL_SIZE", default=10)
SEAMS_RPC_BREAKER_FAIL_MAX = env.int("SEAMS_RPC_BREAKER_FAIL_MAX", default=5)
SEAMS_RPC_BREAKER_RESET_SECONDS = env.float("SEAMS_RPC_BREAKER_RESET_SECONDS", default=30.0)
# In-process contract calls round-trip their arguments, results and errors through
# the wire codec, as a remote call would.
SEAMS_CONTRACT_CODEC = env.bool("SEAMS_CONTRACT_CODEC", default=False)
# A contract call inside an open database transaction: "error" (refused), or "warn"
# (logged, and the call_in_transaction signal sent); DEBUG always refuses.
SEAMS_CONTRACT_IN_TRANSACTION = env.str("SEAMS_CONTRACT_IN_TRANSACTION", default="error")
if SEAMS_CONTRACT_IN_TRANSACTION not in {"error", "warn"}:
    raise SystemExit("Seams refuses to start: SEAMS_CONTRACT_IN_TRANSACTION is error or warn.")

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.locmem.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Seams shop <shop@seams.invalid>")
# The welcome email of the users app (a Celery task queued on UserRegistered).
USERS_WELCOME_EMAIL_ENABLED = env.bool("USERS_WELCOME_EMAIL_ENABLED", default=True)
USERS_WELCOME_EMAIL_FROM = env.str("USERS_WELCOME_EMAIL_FROM", default=DEFAULT_FROM_EMAIL)
USERS_WELCOME_EMAIL_SHOP_NAME = env.str("USERS_WELCOME_EMAIL_SHOP_NAME", default="the Seams shop")

# --- Payments ---------------------------------------------------------------------------
# The card processor: "sandbox" (test tokens, see apps/payments/sandbox.py) or the
# dotted path of an apps.payments.gateway.PaymentGateway subclass.
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="sandbox")
# How long a retry with the same Idempotency-Key waits for the first request's answer
# before it gets 409 payments.request_in_progress.
PAYMENTS_IDEMPOTENCY_WAIT_SECONDS = env.float("PAYMENTS_IDEMPOTENCY_WAIT_SECONDS", default=10.0)
# A gateway call whose outcome is unknown (timeout, broken connection) is repeated with
# the same idempotency key this many times in all, waiting from this many seconds
# (doubling) in between; then the payment or refund stays pending for the resolver.
PAYMENTS_GATEWAY_ATTEMPTS = env.int("PAYMENTS_GATEWAY_ATTEMPTS", default=3)
PAYMENTS_GATEWAY_RETRY_SECONDS = env.float("PAYMENTS_GATEWAY_RETRY_SECONDS", default=0.2)
# The beat task payments.resolve settles payments and refunds pending for longer than
# this (well above the gateway's timeout), and asks again about payments abandoned
# within the window, so that a capture that landed late is refunded.
PAYMENTS_RESOLVE_AFTER_SECONDS = env.int("PAYMENTS_RESOLVE_AFTER_SECONDS", default=300)
PAYMENTS_LATE_CAPTURE_WINDOW_HOURS = env.int("PAYMENTS_LATE_CAPTURE_WINDOW_HOURS", default=24)
PAYMENTS_RESOLVE_BATCH = env.int("PAYMENTS_RESOLVE_BATCH", default=500)
# The beat task orders.retry_refund_requests asks payments again (same key) for the
# refund of an order left refund_requested longer than this (the call was lost).
ORDERS_REFUND_RETRY_AFTER_SECONDS = env.int("ORDERS_REFUND_RETRY_AFTER_SECONDS", default=300)

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Stateless: the user comes from the token's claims, no database read
        # (see apikit.auth.authentication and docs/users.md).
        "apikit.auth.authentication.StatelessJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apikit.drf.negotiation.FastContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["apikit.drf.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "apikit.drf.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["apikit.drf.filters.StrictDjangoFilterBackend"],
    "EXCEPTION_HANDLER": "project.api_errors.exception_handler",
    # Scoped throttles of the open auth endpoints, per client address. The
    # counters live in the default cache: per process unless CACHE_URL names a
    # shared one (Redis), which every multi-process deployment should.
    # The client address throttles count by: X-Forwarded-For is trusted only for
    # the number of proxies in front of the app (none by default), or any client
    # could dodge the throttle by sending a new header each time.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "auth.register": env.str("THROTTLE_AUTH_REGISTER", default="20/hour"),
        "auth.token": env.str("THROTTLE_AUTH_TOKEN", default="20/minute"),
        "auth.refresh": env.str("THROTTLE_AUTH_REFRESH", default="60/minute"),
    },
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

# The default cache holds the throttle counters and the denylist of revoked access
# tokens (apikit.auth.revocation): every deployment with more than one process (gunicorn
# workers included) must share it, CACHE_URL=redis://…
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The in-process default holds the RPC replay store's nonces for their whole
    # window: Django's default of 300 entries would cull them under load.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
# How long a process trusts its last answer from the shared cache about a user's
# revoked tokens: the most a deactivation can lag behind in another process.
SEAMS_TOKEN_DENYLIST_LOCAL_SECONDS = env.float("SEAMS_TOKEN_DENYLIST_LOCAL_SECONDS", default=1.0)
# Deployments sharing one Redis keep their keys apart (django-environ does not map
# a key_prefix in CACHE_URL to Django's KEY_PREFIX).
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")

# JWTs are issued by the users app and verified by every service on its own, from
# the claims alone, with the shared signing key: set JWT_SIGNING_KEY to the same
# value in every process. Access tokens are short-lived because their claims
# (staff flag, permissions) are only rewritten when a new one is issued;
# deactivation is faster still, through the denylist (docs/users.md).
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_USER_CLASS": "apikit.auth.authentication.ClaimsUser",
    "UPDATE_LAST_LOGIN": True,
}

# --- Gateway: one public base URL (strangler fig, docs/split.md) ----------------------
# The public URL prefixes of each app's API: a process forwards those of the apps
# that run elsewhere to SEAMS_SERVICE_URLS (a test holds this equal to the urlconfs).
SEAMS_PUBLIC_ROUTES: dict[str, tuple[str, ...]] = {
    "users": ("/api/v1/auth", "/api/v1/users"),
    "orders": ("/api/v1/products", "/api/v1/orders"),
    "payments": ("/api/v1/payments",),
}
SEAMS_GATEWAY_CONNECT_TIMEOUT_SECONDS = env.float(
    "SEAMS_GATEWAY_CONNECT_TIMEOUT_SECONDS", default=1.0
)
# Longer than any public request may take (a payment waits up to
# PAYMENTS_IDEMPOTENCY_WAIT_SECONDS for a concurrent duplicate).
SEAMS_GATEWAY_READ_TIMEOUT_SECONDS = env.float("SEAMS_GATEWAY_READ_TIMEOUT_SECONDS", default=30.0)
SEAMS_GATEWAY_RETRY_AFTER_SECONDS = env.int("SEAMS_GATEWAY_RETRY_AFTER_SECONDS", default=5)
SEAMS_GATEWAY_POOL_SIZE = env.int("SEAMS_GATEWAY_POOL_SIZE", default=20)
# What /api/schema/ serves when some apps run elsewhere (every public route).
SEAMS_PUBLIC_SCHEMA_FILE = BASE_DIR / "schema" / "openapi.yaml"

SPECTACULAR_SETTINGS = {
    "TITLE": "Seams shop API",
    "DESCRIPTION": "Users, orders and payments of the Seams modular monolith.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tag operations by what follows /api/v1/ (orders, payments, …), not "api".
    "SCHEMA_PATH_PREFIX": r"/api(/v[0-9]+)?",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayOperationId": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "project.openapi.add_error_responses",
        "project.openapi.tighten_strings",
    ],
}

# --- Observability (docs/operations.md) -------------------------------------------------
# JSON log lines in production, readable ones with DEBUG (or LOG_FORMAT=console|json).
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))
# /metrics answers only with "Authorization: Bearer <token>"; no token, no endpoint.
SEAMS_METRICS_TOKEN = env.str("SEAMS_METRICS_TOKEN", default="")
# Under gunicorn (several processes) an empty directory shared by the processes of
# one host/pod; prometheus-client reads the same variable.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
if PROMETHEUS_MULTIPROC_DIR:
    Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)
# A worker or relay has no web server: it serves its own series on this port (0: off).
SEAMS_METRICS_PORT = env.int("SEAMS_METRICS_PORT", default=0)
# Tracing is off (no provider, no cost) unless an OTLP endpoint is set.
OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="seams-" + "-".join(SEAMS_SERVICES))
