"""Settings for every deployment shape, read from the environment through ``env``.

DJANGO_ENV picks the shape: ``development`` (the embedded default: SQLite under var/, an
in-memory cache, Celery tasks run in-process, no variables needed), ``test`` (as development,
for the test suite) or ``production`` (refuses to start without a strong SECRET_KEY,
ALLOWED_HOSTS and FIELD_ENCRYPTION_KEY; secure cookies, HSTS and HTTPS redirects on).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from yuyao_childcare import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.text("VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env.choice("DJANGO_ENV", "development", {"development", "test", "production"})
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.strong_secret_key(env.text("SECRET_KEY"))
    ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
else:
    # Development and tests only; production refuses this key (see env.strong_secret_key).
    SECRET_KEY = env.text("SECRET_KEY") or "django-insecure-embedded-default-for-development-only"
    ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

DEBUG = env.flag("DEBUG", default=DJANGO_ENV == "development")
CSRF_TRUSTED_ORIGINS = env.words("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "yuyao_childcare.staticfinders.PortalStaticFilesConfig",  # django.contrib.staticfiles
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "accounts.admin_config.AxesConfig",  # axes, with a verbose name
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "paperwork",
    "accounts",
    "registry",
    "inspections",
    "training",
    "supervision",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AuditContextMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.PermissionDeniedLogMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yuyao_childcare.urls"
WSGI_APPLICATION = "yuyao_childcare.wsgi.application"
ASGI_APPLICATION = "yuyao_childcare.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env.text("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its database here
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests may write at once in the embedded default: wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A kept connection is checked before a request uses it: after a database restart only the
    # requests in flight fail (503), not the first request of every web worker.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DJANGO_ENV == "test" and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A test database needs no durability: its commits need not wait for the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
# A read replica (yuyao_childcare/replica.py), off by default: the dashboards and exports read
# from it inside `replica_reads()`; unset, every query goes to the primary.
DATABASE_REPLICA_URL = env.text("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a database address: {error}") from None
    # Tests read the replica alias from the test database itself (no second copy to build).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["yuyao_childcare.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ---------------------------------------------------------------------
REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    # A cache that answers "nothing cached" while Redis is away (yuyao_childcare/cache.py): pages
    # keep answering, and short socket timeouts keep a dead Redis from holding every request.
    CACHES = {
        "default": {
            "BACKEND": "yuyao_childcare.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A broker that is away refuses a new task within seconds (the caller keeps the job waiting,
    # see registry.services.imports) instead of holding the request.
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 0.5,
        # An unacknowledged task of a worker that died is delivered again after this many seconds.
        "visibility_timeout": env.integer("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=10),
    }
    CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
    if DJANGO_ENV == "test" and env.text("PYTEST_XDIST_WORKER"):
        # Parallel test workers (gw0, gw1, …) each cache in a Redis database of their own: a
        # test that empties the cache or counts in it must not meet another worker's keys.
        CACHES["default"]["LOCATION"] = env.redis_database(REDIS_URL, 1 + int(env.text("PYTEST_XDIST_WORKER")[2:]))
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
# Without a broker (the embedded default) and in tests, tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = env.flag("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL or DJANGO_ENV == "test")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# Import jobs (paperwork/jobs.py): the worker beats every IMPORT_HEARTBEAT_SECONDS (0: no beating
# thread, as in tests); a running job silent for IMPORT_HEARTBEAT_TIMEOUT seconds is failed.
IMPORT_HEARTBEAT_SECONDS = env.integer("IMPORT_HEARTBEAT_SECONDS", 0 if DJANGO_ENV == "test" else 10, minimum=0)
IMPORT_HEARTBEAT_TIMEOUT = env.integer("IMPORT_HEARTBEAT_TIMEOUT", 120, minimum=5)
# Without a broker there is no `celery beat`: the embedded default's web process runs the
# schedule below itself (yuyao_childcare/scheduler.py). Never in tests: they run jobs directly.
EMBEDDED_SCHEDULER = env.flag("EMBEDDED_SCHEDULER", default=DJANGO_ENV == "development" and not REDIS_URL)
CELERY_BEAT_SCHEDULE = {
    # Jobs whose worker died are shown as failed; jobs never queued (broker away) are queued.
    "registry-imports-watch-minutely": {"task": "registry.tasks.imports_watch_task", "schedule": timedelta(minutes=1)},
    "training-imports-watch-minutely": {"task": "training.tasks.imports_watch_task", "schedule": timedelta(minutes=1)},
    "audit-prune-daily": {"task": "accounts.tasks.audit_prune_task", "schedule": timedelta(days=1)},
    "rectification-escalate-hourly": {
        "task": "inspections.tasks.orders_escalate_overdue_task",
        "schedule": timedelta(hours=1),
    },
    "case-escalate-hourly": {"task": "inspections.tasks.cases_escalate_overdue_task", "schedule": timedelta(hours=1)},
    "complaint-deadlines-hourly": {
        "task": "supervision.tasks.complaint_deadlines_task",
        "schedule": timedelta(hours=1),
    },
    # A case decision whose last day to object has passed with no objection takes effect.
    "case-decisions-take-effect-hourly": {
        "task": "supervision.tasks.case_decisions_take_effect_task",
        "schedule": timedelta(hours=1),
    },
    # Local time (CELERY_TIMEZONE): reminders go out at the start of the working day.
    "self-report-reminders-daily": {
        "task": "inspections.tasks.self_report_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "inspection-reminders-daily": {
        "task": "inspections.tasks.inspection_reminders_task",
        "schedule": crontab(hour=8, minute=15),
    },
    "periodic-report-reminders-daily": {
        "task": "dashboard.tasks.report_reminders_task",
        "schedule": crontab(hour=8, minute=45),
    },
    "cycle-statistics-hourly": {"task": "inspections.tasks.cycle_statistics_task", "schedule": timedelta(hours=1)},
    "dashboard-snapshots-quarter-hourly": {
        "task": "dashboard.tasks.snapshots_refresh_task",
        "schedule": timedelta(minutes=15),
    },
    # Just after midnight, local time: an institution closes on the day its closure filing names.
    "closures-apply-daily": {"task": "registry.tasks.closures_apply_task", "schedule": crontab(hour=0, minute=5)},
    # After midnight, local time: the risk scores from the previous day's findings, orders and rosters.
    "risk-scores-recompute-daily": {
        "task": "supervision.tasks.risk_scores_recompute_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "certificate-expiry-reminders-daily": {
        "task": "training.tasks.expiry_reminders_task",
        "schedule": crontab(hour=8, minute=30),
    },
    "registry-reminders-daily": {
        "task": "registry.tasks.registry_reminders_task",
        "schedule": crontab(hour=8, minute=5),
    },
    # After the morning's reminders: each digest holds them.
    "notification-digests-daily": {
        "task": "accounts.tasks.notification_digests_task",
        "schedule": crontab(hour=9, minute=0),
    },
}

# --- Accounts and security ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in through the unified identity (OpenID Connect); answers nothing while OIDC_* are unset.
    "accounts.identity.IdentityBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
if DJANGO_ENV == "test":
    # Hashing strength is not under test; the password rules are validators, not the hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
# The second factor (TOTP, accounts/second_factor.py) for operators and decision-makers. The
# demo accounts skip it outside production only, so the embedded demo opens with a password.
SECOND_FACTOR_DEMO_EXEMPT = env.flag("SECOND_FACTOR_DEMO_EXEMPT", default=not PRODUCTION)
OTP_TOTP_ISSUER = "余姚市婴幼儿照护服务管理平台"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session lives 30 minutes from the last request (to the minute: the
# expiry is pushed by accounts.middleware.IdleTimeoutMiddleware, not saved on every request).
SESSION_COOKIE_AGE = env.integer("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lock-out: 5 failures for one user name from one address lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A fixed 30 minutes: retrying during the lock does not restart it (each retry is still logged).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

# Sign-in through the government's unified identity (OpenID Connect, mozilla-django-oidc), an
# option beside passwords. Off unless all six variables are set (then the login page shows the
# button); a partial setting refuses to start, naming what is missing. The identity is taken
# from the signed ID token (issuer, audience, expiry, nonce and state checked) and reaches
# only an account the security administrator linked to it (accounts.IdentityLink).
_OIDC_VARIABLES = {
    "OIDC_ISSUER": env.text("OIDC_ISSUER") or None,
    "OIDC_OP_AUTHORIZATION_ENDPOINT": env.text("OIDC_OP_AUTHORIZATION_ENDPOINT") or None,
    "OIDC_OP_TOKEN_ENDPOINT": env.text("OIDC_OP_TOKEN_ENDPOINT") or None,
    "OIDC_OP_JWKS_ENDPOINT": env.text("OIDC_OP_JWKS_ENDPOINT") or None,
    "OIDC_RP_CLIENT_ID": env.text("OIDC_RP_CLIENT_ID") or None,
    "OIDC_RP_CLIENT_SECRET": env.text("OIDC_RP_CLIENT_SECRET") or None,
}
_oidc_missing = [name for name, value in _OIDC_VARIABLES.items() if not value]
if 0 < len(_oidc_missing) < len(_OIDC_VARIABLES):
    raise ImproperlyConfigured(f"Unified identity sign-in is partly configured: set {', '.join(_oidc_missing)} too.")
OIDC_ENABLED = not _oidc_missing
OIDC_ISSUER = _OIDC_VARIABLES["OIDC_ISSUER"]
OIDC_OP_AUTHORIZATION_ENDPOINT = _OIDC_VARIABLES["OIDC_OP_AUTHORIZATION_ENDPOINT"]
OIDC_OP_TOKEN_ENDPOINT = _OIDC_VARIABLES["OIDC_OP_TOKEN_ENDPOINT"]
OIDC_OP_JWKS_ENDPOINT = _OIDC_VARIABLES["OIDC_OP_JWKS_ENDPOINT"]
OIDC_OP_USER_ENDPOINT = None  # not asked: the signed ID token says who signed in
OIDC_RP_CLIENT_ID = _OIDC_VARIABLES["OIDC_RP_CLIENT_ID"]
OIDC_RP_CLIENT_SECRET = _OIDC_VARIABLES["OIDC_RP_CLIENT_SECRET"]
OIDC_RP_SIGN_ALGO = env.choice("OIDC_RP_SIGN_ALGO", "RS256", {"RS256", "RS384", "RS512", "ES256", "ES384"})
OIDC_RP_SCOPES = "openid"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.integer("OIDC_TIMEOUT_SECONDS", 10, minimum=1)
LOGIN_REDIRECT_URL_FAILURE = "login"

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: the public sees only public selectors

# Personal data: Fernet keys, newest first; older keys still decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.words("FIELD_ENCRYPTION_KEY", [])
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set in production.")
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="]

AUDIT_RETENTION_DAYS = env.integer("AUDIT_RETENTION_DAYS", 180, minimum=180)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.text("STATIC_ROOT", str(VAR_DIR / "static")))
# Source maps are fetched only by a browser's developer tools: not worth compressing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
WHITENOISE_USE_FINDERS = not PRODUCTION  # development serves straight from the source folders
# Tests build the middleware for every test client: look files up on request instead of
# scanning every static folder at each build (that scan was half of the suite's time).
WHITENOISE_AUTOREFRESH = DJANGO_ENV == "test"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
STATICFILES_DIRS = [BASE_DIR / "static"]
# The files of npm packages the pages use, one by one (yuyao_childcare/staticfinders.py): the
# packages' dist folders hold 60 MB of builds no page loads. A template that needs another file
# names it here (tests/test_static_files.py checks every {% static %} path is found).
VENDOR_STATIC_FILES = {
    # The map is named by the stylesheet's sourceMappingURL, which the manifest storage follows.
    "vendor/bootstrap": (
        BASE_DIR / "node_modules" / "bootstrap" / "dist",
        # The bundle (with Popper) runs the menu's collapse and dropdowns.
        [
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        ],
    ),
    "vendor/echarts": (BASE_DIR / "node_modules" / "echarts" / "dist", ["echarts.min.js"]),
    # Search-as-you-type pickers (static/js/pickers.js); the maps are named by sourceMappingURL.
    "vendor/tom-select": (
        BASE_DIR / "node_modules" / "tom-select" / "dist",
        [
            "css/tom-select.bootstrap5.min.css",
            "css/tom-select.bootstrap5.min.css.map",
            "js/tom-select.complete.min.js",
            "js/tom-select.complete.min.js.map",
        ],
    ),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "yuyao_childcare.staticfinders.VendorFinder",
]
# Uploaded files live outside the web root and are served only through views that check access.
# Every file is read and written through Django's storage API (FileField, default_storage), so
# STORAGE_BACKEND picks where they live: `local` (MEDIA_ROOT on this machine's disk, the default)
# or `s3`, an S3-compatible object store (MinIO, Ceph, a cloud's) that every web process and
# worker of a multi-machine deployment shares (django-storages; README, Deployment).
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGE_BACKEND = env.choice("STORAGE_BACKEND", "local", {"local", "s3"})
if STORAGE_BACKEND == "s3":
    if not env.text("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("AWS_STORAGE_BUCKET_NAME must be set when STORAGE_BACKEND is s3.")
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.text("AWS_STORAGE_BUCKET_NAME"),
            # Empty: the provider's own endpoint; set for MinIO, Ceph or a cloud's S3-compatible one.
            "endpoint_url": env.text("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env.text("AWS_S3_REGION_NAME") or None,
            "access_key": env.text("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env.text("AWS_SECRET_ACCESS_KEY") or None,
            "location": env.text("AWS_LOCATION", ""),
            # Private objects: the portal serves every file itself, through views that check access.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env.text("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": env.text("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    }
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email --------------------------------------------------------------------------------
EMAIL_HOST = env.text("EMAIL_HOST", "")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address as its users reach it: the links in emails (the address verification
# link, each message's link) are made from it.
PORTAL_URL = env.text("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
# How long the link that verifies a user's email address works (seconds).
EMAIL_VERIFICATION_MAX_AGE = env.integer("EMAIL_VERIFICATION_MAX_AGE", 2 * 24 * 3600, minimum=600)

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call answers 401 with a WWW-Authenticate header.
        "accounts.api_auth.AuditedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api_permissions.PasswordChanged",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "accounts.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "余姚市婴幼儿照护服务管理平台 API",
    "DESCRIPTION": "Yuyao Childcare Oversight Portal API. Every endpoint applies the same access policy as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The default enum hook, then the error answers every operation may give (one error shape).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api_errors.document_errors",
    ],
    # Several models name their choices "kind", "status" or "level"; `check --deploy` builds the
    # schema and warns (drf_spectacular.W001) unless each set has its own name.
    "ENUM_NAME_OVERRIDES": {
        "RegionKindEnum": "accounts.models.Region.Kind",
        "RegionLevelEnum": "accounts.models.Region.Level",
        "OrganisationKindEnum": "accounts.models.Organisation.Kind",
        "AuditEventKindEnum": "accounts.models.AuditEvent.Kind",
        "SecurityEventKindEnum": "accounts.models.SecurityEvent.Kind",
        "InstitutionStatusEnum": "registry.models.Institution.Status",
        "InstitutionFilingStatusEnum": "registry.models.Institution.FilingStatus",
        "RegistrationStatusEnum": "registry.models.Registration.Status",
        "FilingKindEnum": "registry.models.Filing.Kind",
        "FilingStatusEnum": "registry.models.Filing.Status",
        "FilingAttachmentKindEnum": "registry.models.FilingAttachment.Kind",
        "ResidentialAreaKindEnum": "registry.models.ResidentialArea.Kind",
        "GuidanceSiteLevelEnum": "registry.models.GuidanceSite.Level",
        "ImportJobKindEnum": "registry.models.ImportJob.Kind",
        "ImportJobStatusEnum": "registry.models.ImportJob.Status",
    },
}

# --- Production hardening -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sent on every answer (accounts.middleware.SecurityHeadersMiddleware), in every environment so
# that the browser tests run under it. Scripts only from the portal's own files: no inline
# script, no inline handler, no eval. Styles may be inline (style attributes, the printable
# documents' <style>); images may be data: URLs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# No page needs the camera, microphone, location, sensors, payment or USB.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", True)
    # The load balancer's or supervisor's health check reaches gunicorn directly, over HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Reverse proxies in front of the portal whose X-Forwarded-For may be trusted (0: none).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
