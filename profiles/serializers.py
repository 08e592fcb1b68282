"""Input and output serializers for accounts."""

from rest_framework import serializers

from profiles.models import User


class RegisterInput(serializers.Serializer):
    username = serializers.RegexField(
        r"^[A-Za-z0-9_.]{3,30}$", error_messages={"invalid": "3-30 letters, digits, '_' or '.'"}
    )
    password = serializers.CharField(min_length=8, max_length=128, write_only=True)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class UserOutput(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "bio", "avatar_url"]

    def get_avatar_url(self, user: User) -> str | None:
        return user.avatar.url if user.avatar else None
