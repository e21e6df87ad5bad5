"""Rapport settings, configured by environment variables (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def _env_file(path: Path) -> None:
    """Load KEY=VALUE lines from a .env file without overriding the real environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_env_file(PROJECT_DIR / ".env")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("RAPPORT_DATA_DIR", str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("RAPPORT_DEBUG", False)
SECRET_KEY = env("RAPPORT_SECRET_KEY")
if not SECRET_KEY:
    # The embedded install keeps a generated key in its data folder, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = env_list("RAPPORT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("RAPPORT_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("RAPPORT_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks_db",
    # Before allauth, so that our layout and sign-in templates override allauth's bare ones.
    "rapport.web",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rapport.core",
    "rapport.accounts",
    "rapport.contacts",
    "rapport.activities",
    "rapport.integrations",
    "rapport.catalog",
    "rapport.sales",
    "rapport.orders",
    "rapport.processes",
    "rapport.analytics",
    "rapport.automation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rapport.core.middleware.RequestIdMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rapport.accounts.middleware.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "rapport.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

FORM_RENDERER = "rapport.web.forms_renderer.FormRenderer"

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
                "django.template.context_processors.i18n",
                "rapport.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'rapport.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
else:
    # Choice lists and other small reads go through ``QuerySet.iterator()``; on PostgreSQL that
    # would be a named cursor (DECLARE, FETCH, CLOSE: three round trips instead of one).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    if env("RAPPORT_PG_PREPARE", "1") == "1":
        # Statements run more than once on a connection are prepared, so PostgreSQL parses and
        # analyses them once (bench/: cards 1-3 ms faster, the API list 20% more requests/s).
        # Plans stay custom: a plan made for one search term would be a bad plan for the next
        # (generic plans doubled the search's latency). Set RAPPORT_PG_PREPARE=0 behind a
        # connection pooler that does not keep prepared statements (PgBouncer in transaction
        # mode before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                "server_side_binding": True,
                "prepare_threshold": 2,
                "options": "-c plan_cache_mode=force_custom_plan",
            }
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "rapport.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RAPPORT_LOGIN_RATE", "20/5m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Rapport"
USERSESSIONS_TRACK_ACTIVITY = False

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rapport",
    }
}
if env("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL"),
    }
elif not env("RAPPORT_LOCMEM_CACHE"):
    # Rate limits (login throttling, API throttles) must be shared by every worker process.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "rapport_cache",
    }

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("uk", "Українська"), ("lv", "Latviešu")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("RAPPORT_TIME_ZONE", "Europe/Riga")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env("RAPPORT_PHONE_REGION", "LV")

STATIC_URL = "static/"
STATIC_ROOT = Path(env("RAPPORT_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from it after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail: SMTP when RAPPORT_SMTP_HOST is set; otherwise every message lands in the outbox that an
# administrator reads in the UI, so nothing is lost and the embedded install works offline.
DEFAULT_FROM_EMAIL = env("RAPPORT_FROM_EMAIL", "Rapport <rapport@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("RAPPORT_SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {
                "host": env("RAPPORT_SMTP_HOST"),
                "port": int(env("RAPPORT_SMTP_PORT", "25")),
                "username": env("RAPPORT_SMTP_USER"),
                "password": env("RAPPORT_SMTP_PASSWORD"),
                "use_tls": env_bool("RAPPORT_SMTP_TLS"),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rapport.core.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rapport.core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "rapport.core.api.pagination.CountedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "rapport.core.api.filtering.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rapport.core.api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("RAPPORT_API_RATE", "600/min")},
    "EXCEPTION_HANDLER": "rapport.core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rapport API",
    "DESCRIPTION": "The REST API of the Rapport CRM.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CompanyKindEnum": "rapport.contacts.choices.CompanyKind",
        "ActivityKindEnum": "rapport.activities.choices.ActivityKind",
        "AddressKindEnum": "rapport.contacts.choices.AddressKind",
        "LanguageEnum": "rapport.core.choices.Language",
        "CustomFieldTargetEnum": "rapport.core.models.CustomFieldTarget",
        "RecordKindEnum": [("company", "company"), ("person", "person")],
        "CurrencyEnum": "rapport.core.money.Currency",
        "ProductKindEnum": "rapport.catalog.models.ProductKind",
        "DiscountKindEnum": "rapport.catalog.models.DiscountKind",
        # Stage kinds and deal statuses are the same set: open, won, lost.
        "DealOutcomeEnum": "rapport.sales.choices.DealStatus",
        "DistributionMethodEnum": "rapport.sales.choices.DistributionMethod",
        # Named as before lead distribution rules also had a "method".
        "MethodEnum": "rapport.contacts.choices.ConsentMethod",
        "RoleEnum": "rapport.accounts.choices.Role",
        "ProcessStatusEnum": "rapport.processes.choices.ProcessStatus",
        "ProcessStageStatusEnum": "rapport.processes.choices.StageStatus",
        "TaskStatusEnum": "rapport.activities.choices.TaskStatus",
    },
}

FILTERS_EMPTY_CHOICE_LABEL = "—"

RAPPORT = {
    "TASK_LEASE_SECONDS": int(env("RAPPORT_TASK_LEASE_SECONDS", "300")),
    "IMPORT_CHUNK_SIZE": int(env("RAPPORT_IMPORT_CHUNK_SIZE", "500")),
    "MAX_UPLOAD_BYTES": int(env("RAPPORT_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024))),
    # Forecasts and reports sum amounts in this currency (see catalog.ExchangeRate).
    "BASE_CURRENCY": env("RAPPORT_BASE_CURRENCY", "EUR"),
    # Reverse proxies (addresses or networks) whose X-Forwarded-For is believed; see
    # core.client_address and docs/deployment.md.
    "TRUSTED_PROXIES": env_list("RAPPORT_TRUSTED_PROXIES"),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SITE_URL.startswith("https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("RAPPORT_LOG_LEVEL", "WARNING")},
}

APP_NAME = _("Rapport")
