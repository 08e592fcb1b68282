"""Input and output serializers for accounts."""

from rest_framework import serializers

from profiles.models import User
from profiles.services.accounts import USERNAME_PATTERN, USERNAME_RULE


class RegisterInput(serializers.Serializer):
    username = serializers.RegexField(USERNAME_PATTERN, error_messages={"invalid": USERNAME_RULE})
    # Passwords are taken as typed, spaces at the ends too, as every other password field
    # takes them (a password chosen with a trailing space could not confirm a change).
    password = serializers.CharField(
        min_length=8, max_length=128, write_only=True, trim_whitespace=False
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class UserOutput(serializers.ModelSerializer):
    """The signed-in user's own account (only ever shown to them)."""

    avatar_url = serializers.SerializerMethodField()
    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "bio",
            "avatar_url",
            "email",
            "email_verified",
            "is_private",
        ]

    def get_avatar_url(self, user: User) -> str | None:
        return user.avatar.url if user.avatar else None

    def get_email_verified(self, user: User) -> bool:
        return bool(user.email and user.email_verified_at)


class SignInOutput(serializers.Serializer):
    """What registering or signing in answers: the account and its API token."""

    user = UserOutput()
    token = serializers.CharField()


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordResetInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetLinkInput(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class PasswordResetConfirmInput(PasswordResetLinkInput):
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class EmailChangeInput(serializers.Serializer):
    # Validated by the service (an empty address removes it).
    email = serializers.CharField(max_length=254, allow_blank=True, trim_whitespace=True)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordConfirmInput(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
