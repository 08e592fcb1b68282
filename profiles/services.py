"""Account writes: registration and API tokens."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from profiles.models import User

# Names that collide with routes such as /api/users/me or /@admin.
RESERVED_USERNAMES = {"me", "admin", "api", "static", "media", "upload", "login", "logout"}


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "", display_name: str = "") -> User:
    """Create an account; raises ValidationError naming the field on bad input."""
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": ["this username is reserved"]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["this username is taken"]})
    user = User(username=username, email=email, display_name=display_name or username)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_token(*, user: User) -> str:
    """The API token for token-authenticated clients (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def user_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
