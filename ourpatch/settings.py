"""Django settings: everything variable comes from ourpatch.config, validated once."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext

from ourpatch import config as _config

# Lets model and form classes be written with type parameters (ModelAdmin[Model]).
django_stubs_ext.monkeypatch()

try:
    CONFIG = _config.load()
except _config.ConfigError as exc:
    # One line naming the variable, not a traceback (the CLI prints the same).
    sys.stderr.write(f"ourpatch: configuration error: {exc}\n")
    raise SystemExit(2) from None

BASE_DIR = Path(__file__).resolve().parent

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(CONFIG.csrf_trusted_origins)
OURPATCH_DATA_DIR = CONFIG.data_dir
OURPATCH_STALE_AFTER_DAYS = CONFIG.stale_after_days

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # intcomma: 31,635 crimes, not 31635
    "axes",
    "csp",
    # one app per capability (DESIGN.md)
    "ourpatch.web",
    "ourpatch.audit",
    "ourpatch.geography",
    "ourpatch.teams",
    "ourpatch.accounts",
    "ourpatch.contact",
    "ourpatch.api",
    "ourpatch.worker",
    "ourpatch.engagement",
    "ourpatch.problems",
    "ourpatch.updates",
    "ourpatch.crime",
    "ourpatch.citizenfocus",
    "ourpatch.calls",
    "ourpatch.victims",
    "ourpatch.dissatisfaction",
    "ourpatch.pledge",
    "ourpatch.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ourpatch.web.middleware.SecureHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # after authentication, so that a locked-out sign-in is refused before the view
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ourpatch.urls"
WSGI_APPLICATION = "ourpatch.wsgi.application"

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
                "ourpatch.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out sign-in before any password is checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock the username from that address after N failures.
AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
AXES_COOLOFF_TIME = CONFIG.login_lockout_minutes / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.data_dir / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = CONFIG.data_dir / "media"
# Leaflet's files come from the django-leaflet wheel; the app itself is not installed because
# its admin integration needs GDAL, which ourpatch does not (geometry is Shapely's).
_leaflet = importlib.util.find_spec("leaflet")
STATICFILES_DIRS = (
    [Path(next(iter(_leaflet.submodule_search_locations))) / "static"]
    if _leaflet and _leaflet.submodule_search_locations
    else []
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if CONFIG.is_production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if not CONFIG.is_production:
    # WhiteNoise warns when the folder is missing, even when serving from the apps
    with contextlib.suppress(OSError):
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' folders outside production, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not CONFIG.is_production
WHITENOISE_AUTOREFRESH = False

# Uploads: photos are small; anything larger is refused before it is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# A deployment with a tile server lets the map load images from it, and nothing else.
_tile_origin = (
    ["{0.scheme}://{0.netloc}".format(urlsplit(CONFIG.map_tile_url))] if CONFIG.map_tile_url else []
)
# Secure headers. Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tile_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one shift

if CONFIG.is_production:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

DEFAULT_FROM_EMAIL = CONFIG.email_from
if CONFIG.email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = CONFIG.email_host
    EMAIL_PORT = CONFIG.email_port
    EMAIL_HOST_USER = CONFIG.email_user
    EMAIL_HOST_PASSWORD = CONFIG.email_password
    EMAIL_USE_TLS = CONFIG.email_use_tls
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

OURPATCH_MAP_TILE_URL = CONFIG.map_tile_url
OURPATCH_SITE_URL = CONFIG.site_url
OURPATCH_API_RATE_PER_SECOND = CONFIG.api_rate_per_second
OURPATCH_API_BURST = CONFIG.api_burst

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
