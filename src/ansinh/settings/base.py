"""Settings shared by every environment.

The development/demo defaults live here (SQLite in ./var, DEBUG on unless told otherwise);
`production.py` tightens them and refuses to start without real secrets.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/ansinh
PROJECT_DIR = BASE_DIR.parent.parent  # repository root in a checkout
VAR_DIR = Path(os.environ.get("ANSINH_VAR_DIR", PROJECT_DIR / "var"))

# A development-only key: production.py refuses it.
DEV_SECRET_KEY = "django-insecure-ansinh-development-only-key-do-not-use"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "ansinh.core",
    "ansinh.geo",
    "ansinh.org",
    "ansinh.accounts",
    "ansinh.registry",
    "ansinh.rules",
    "ansinh.plans",
    "ansinh.programmes",
    "ansinh.funds",
    "ansinh.portal",
    "ansinh.reports",
    "ansinh.oversight",
    "ansinh.outreach",
    "ansinh.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ansinh.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ansinh.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "ansinh.urls"
WSGI_APPLICATION = "ansinh.wsgi.application"

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
                "ansinh.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ansinh.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the server reads; a busy timeout instead of
    # "database is locked" when both write at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the app's queries are short and index-driven, and compiling cost
    # more than it saved (4–5 ms on a public search whose estimate passed jit_above_cost).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = "-c jit=off"
    # Prepared statements only where the code asks for them (`ansinh.core.prepared`: the
    # public search's few queries); the ORM's queries are never prepared. Behind a pooler in
    # transaction mode, which cannot keep a statement on a connection, set
    # DB_PREPARED_STATEMENTS=0.
    if os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0":
        options["prepare_threshold"] = 2**31 - 1

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["ansinh.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (accounts.backends).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first: source strings are Vietnamese, the English catalogue translates them.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["ansinh.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less header via the template
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ansinh API",
    "DESCRIPTION": "API of the ansinh social-policy platform (Hội LHPN).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind` with their own choices: name each enum explicitly.
    "ENUM_NAME_OVERRIDES": {
        "UnionUnitKindEnum": "ansinh.org.models.UnionUnit.Kind",
        "DepartmentKindEnum": "ansinh.org.models.Department.Kind",
        "SuccessionKindEnum": "ansinh.geo.models.AdminUnitSuccession.Kind",
        "LocalityKindEnum": "ansinh.geo.models.Locality.Kind",
        "JobOutcomeEnum": "ansinh.programmes.models.JobOutcome",
        "LoanStatusEnum": "ansinh.programmes.models.LoanFacilitation.Status",
        "PersonStatusEnum": "ansinh.registry.models.Person.Status",
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# The plan text loaded by `ansinh demo` (read in place, never copied into the repository).
ANSINH_PLAN_FILE = os.environ.get("ANSINH_PLAN_FILE", "")

# Province whose data the demo loads; nothing in code is Hanoi-only.
ANSINH_PROVINCE_CODE = os.environ.get("ANSINH_PROVINCE_CODE", "01")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Public pages count requests per client address (ansinh.core.ratelimit); behind a reverse
# proxy that sets X-Forwarded-For, set ANSINH_TRUST_PROXY=1 (never otherwise: it can be forged).
ANSINH_TRUST_PROXY = os.environ.get("ANSINH_TRUST_PROXY", "") in {"1", "true", "True"}
