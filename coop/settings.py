"""Settings for every environment, read from environment variables (see README, "Configuration").

With nothing set, the product runs on the embedded default: SQLite under var/, the in-memory
channel layer and a local cache. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and friends.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from coop.env import (
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

_secret_key = env_str("SECRET_KEY", "")
if not _secret_key:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    _secret_key = "insecure-development-key-only-used-when-debug-is-on"  # noqa: S105
SECRET_KEY = _secret_key

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # daphne first: it replaces runserver with an ASGI server that also speaks WebSockets.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "ninja",
    # Before allauth: frontend's templates override allauth's layouts and form elements.
    "frontend",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    # The co-op core
    "coop",
    "coop.members",
    "coop.money",
    "coop.geo",
    "coop.notifications",
    "coop.scheduler",
    "coop.community",
    "coop.commons",
    "coop.surplus",
    # The services
    "lending",
    "stays",
    "rides",
    "timebank",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "coop.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "coop.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coop.members.middleware.MemberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coop.middleware.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "coop.urls"
ASGI_APPLICATION = "coop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coop.notifications.context_processors.notifications",
                "frontend.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///var/coop.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults socket_timeout to 5 s, the length of channels_redis's
                # blocking pop: every idle consumer would die with a TimeoutError. Read
                # timeouts must outlast the pop (channels_redis#422); connecting stays quick.
                # redis-py's pool refuses (rather than waits) past 100 connections, and each
                # group send or discard takes one: a burst of 1,000 sockets closing failed
                # hundreds of unsubscribes and left dead sockets in groups (bench/RESULTS.md).
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 30,
                        "socket_connect_timeout": 5,
                        "max_connections": env_int(
                            "REDIS_MAX_CONNECTIONS", default=1000, minimum=10
                        ),
                    }
                ],
                "prefix": env_str("REDIS_PREFIX", "coop"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("REDIS_PREFIX", "coop"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "members.User"
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
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; sign-up needs a verified address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "coop.members.forms.SignupDetailsForm"
ACCOUNT_ADAPTER = "coop.members.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Co-op] "
# Failed logins are limited per address and per IP: past the limit the login form refuses even
# the right password (tests/security/test_rate_limits.py); the other limits answer 429.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("COOP_NAME", "Co-op")
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app", "browser")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("ca", "Català")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded photos (coop.images): served from this origin at /media/public/ by Django or a proxy;
# MEDIA_ROOT/private/ holds condition evidence that only permission-checked views serve.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

_email = email_from_url(env_str("EMAIL_URL", "console:" if DEBUG else "smtp://localhost:25"))
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Co-op <hello@coop.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# Empty means the official Stripe API; the embedded default points this at localstripe.
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")

# Security. With DEBUG off, `manage.py check --deploy` must report nothing.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's JavaScript reads it for the X-CSRFToken header
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy, set by coop.middleware on every response: no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Platform
COOP_NAME = env_str("COOP_NAME", "Barcelona Sharing Co-op")
COOP_CURRENCY = env_str("COOP_CURRENCY", "EUR")
# Salt for approximate display locations; rotating it moves every approximate point once.
GEO_APPROXIMATION_SALT = env_str("GEO_APPROXIMATION_SALT", SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}

# --- timebank ---
# The site's public address, for links in the timebank's weekly digest emails.
TIMEBANK_SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

# --- governance ---
# Board-only actions (refunds, disputes, community projects, scheduling ballots) need a session
# that passed two-factor authentication. On by default in production (DEBUG off).
BOARD_MFA_REQUIRED = env_bool("BOARD_MFA_REQUIRED", default=not DEBUG)

# --- money ---
# STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE are read above. With
# STRIPE_API_BASE set (localstripe, started by `make run` when no key is set) the browser loads
# localstripe's stand-in for Stripe.js from that server instead of js.stripe.com.
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
STRIPE_JS_URL = (
    STRIPE_API_BASE.rstrip("/") + "/js.stripe.com/v3/"
    if STRIPE_API_BASE
    else "https://js.stripe.com/v3/"
)
_STRIPE_JS_ORIGIN = "/".join(STRIPE_JS_URL.split("/")[:3])
CONTENT_SECURITY_POLICY["script-src"] = [*CONTENT_SECURITY_POLICY["script-src"], _STRIPE_JS_ORIGIN]
if STRIPE_API_BASE:
    # localstripe's script calls its own server from the page.
    CONTENT_SECURITY_POLICY["connect-src"] = [
        *CONTENT_SECURITY_POLICY["connect-src"],
        _STRIPE_JS_ORIGIN,
    ]
else:
    # Stripe Elements runs in Stripe's frames and calls Stripe's API (their documented CSP).
    CONTENT_SECURITY_POLICY["frame-src"] = ["https://js.stripe.com", "https://hooks.stripe.com"]
    CONTENT_SECURITY_POLICY["connect-src"] = [
        *CONTENT_SECURITY_POLICY["connect-src"],
        "https://api.stripe.com",
    ]

# --- lending ---
# On PostgreSQL the lending migrations add an exclusion constraint over time ranges (btree_gist);
# django.contrib.postgres gives Django the range types and lookups that go with it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]
