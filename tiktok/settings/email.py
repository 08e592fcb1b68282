"""Outgoing mail (password resets, address verification) and the site's public address for the
links in it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import VAR_DIR, env_bool, env_int, env_str, env_url

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

# SMTP when EMAIL_HOST is set; otherwise every message is written to a file under
# EMAIL_FILE_PATH (var/mail/), so `make run` works with nothing configured and a developer can
# open the links. EMAIL_BACKEND names any other Django mail backend.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "") or (SMTP_BACKEND if EMAIL_HOST else FILE_BACKEND)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # implicit TLS, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other; set one")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# Seconds a silent SMTP server may hold the sending task (Django's default is to wait forever).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Reels <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# The site's public address (scheme and host, e.g. https://reels.example.org) for links in mail.
# Empty: links are built from the request's host, which ALLOWED_HOSTS vets; set it in
# production so a link never depends on the Host header a request arrived with.
SITE_URL = env_url("SITE_URL", "", schemes=("https", "http")).rstrip("/")
if urlsplit(SITE_URL).path or urlsplit(SITE_URL).query:  # links are SITE_URL + "/reset/..."
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r}: want scheme and host only, no path")

# "optional": a verification mail goes out when an account is registered with an address or
# changes it; the account works either way and shows whether it is verified. "off": no mail.
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
if ACCOUNT_EMAIL_VERIFICATION not in ("optional", "off"):
    raise ImproperlyConfigured(
        f"ACCOUNT_EMAIL_VERIFICATION={ACCOUNT_EMAIL_VERIFICATION!r}: use optional or off"
    )
# How long a password-reset link works (Django's PASSWORD_RESET_TIMEOUT); verification links
# work for EMAIL_VERIFICATION_TIMEOUT_SECONDS.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3600)
EMAIL_VERIFICATION_TIMEOUT_SECONDS = env_int("EMAIL_VERIFICATION_TIMEOUT_SECONDS", 7 * 24 * 3600)
# At most this many account mails (reset links, verification links) go to one address per hour,
# whoever asks: a reset form cannot be used to flood someone's inbox.
ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR = env_int("ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR", 3)
