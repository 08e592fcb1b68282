"""One-time links mailed to account owners: the uid in a link, and the token generators of
password resets (Django's) and of address verification (salted with the address)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from profiles.models import User

# A reset token hashes the password and the last sign-in: using it (or signing in) spends it.
password_reset_tokens = default_token_generator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A token for one address of one account: once the address changes, every link mailed to
    an earlier one is refused. Following a link twice verifies twice (harmless). Links work
    for EMAIL_VERIFICATION_TIMEOUT_SECONDS (reset links for PASSWORD_RESET_TIMEOUT)."""

    key_salt = "profiles.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}\x00{user.email.casefold()}\x00{timestamp}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not token or not user.email:
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age_seconds = self._num_seconds(self._now()) - timestamp
        return age_seconds <= settings.EMAIL_VERIFICATION_TIMEOUT_SECONDS


email_verification_tokens = EmailVerificationTokenGenerator()


def uid_encode(user: User) -> str:
    """The account's id as it appears in a mailed link."""
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_for_uid(uidb64: str) -> User | None:
    """The active account a link's uid names, or None (malformed, unknown or suspended)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()
