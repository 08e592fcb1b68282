"""Account care endpoints: change the password, reset a forgotten one by mail, change and
verify the email address, delete the account."""

from __future__ import annotations

from django.contrib.auth import logout, update_session_auth_hash
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from profiles.apis import SignInApi
from profiles.serializers import (
    EmailChangeInput,
    PasswordChangeInput,
    PasswordConfirmInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    PasswordResetLinkInput,
    UserOutput,
)
from profiles.services.account_deletion import account_delete
from profiles.services.email_address import email_verification_resend, user_email_change
from profiles.services.passwords import (
    password_reset_confirm,
    password_reset_link_check,
    password_reset_request,
    user_password_change,
)
from tiktok.api.base import ApiView
from tiktok.web.links import site_url

PASSWORD_RESET_SENT = (
    "If an account uses this address, a link to reset its password is on its way. Check your mail."
)


class AccountApi(ApiView):
    """Changes only the signed-in owner may make; as throttled as sign-in."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"


class PasswordChangeApi(AccountApi):
    @extend_schema(request=PasswordChangeInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        token = user_password_change(user=request.user, **data.validated_data)
        # This browser stays signed in; every other session ended with the old password.
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request._request, request.user)
        return Response({"user": UserOutput(request.user).data, "token": token})


class PasswordResetApi(SignInApi):
    throttle_scope = "account_mail"

    @extend_schema(request=PasswordResetInput, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(email=data.validated_data["email"], base_url=site_url(request))
        # The same answer whether or not an account uses the address.
        return Response({"detail": PASSWORD_RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetCheckApi(SignInApi):
    """Whether a mailed reset link still works: 204, or 400 `invalid_token`. The reset page asks
    before showing the form; the token travels in the body (the link's fragment holds it, so it
    is in no URL a server logs)."""

    @extend_schema(request=PasswordResetLinkInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = PasswordResetLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_link_check(
            uidb64=data.validated_data["uid"], token=data.validated_data["token"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetConfirmApi(SignInApi):
    @extend_schema(request=PasswordResetConfirmInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_confirm(
            uidb64=data.validated_data["uid"],
            token=data.validated_data["token"],
            new_password=data.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailChangeApi(AccountApi):
    # Each change mails the new address and the old one: the mail scope (per account, and
    # stricter than `auth`, which it replaces for the password asked here too).
    throttle_scope = "account_mail"

    @extend_schema(request=EmailChangeInput, responses=UserOutput)
    def post(self, request: Request) -> Response:
        data = EmailChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_email_change(
            user=request.user, base_url=site_url(request), **data.validated_data
        )
        return Response(UserOutput(user).data)


class EmailVerificationResendApi(AccountApi):
    throttle_scope = "account_mail"

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        email_verification_resend(user=request.user, base_url=site_url(request))
        return Response(
            {"detail": f"A new link is on its way to {request.user.email}."},
            status=status.HTTP_202_ACCEPTED,
        )


class AccountDeleteApi(AccountApi):
    @extend_schema(request=PasswordConfirmInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = PasswordConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        account_delete(user=request.user, password=data.validated_data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
