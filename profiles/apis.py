"""Account endpoints: register, log in, log out, who am I."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.serializers import LoginInput, RegisterInput, SignInOutput, UserOutput
from profiles.services.accounts import user_register, user_token, user_token_revoke
from profiles.services.email_address import email_verification_start
from profiles.services.sign_in_guard import sign_in_locked_seconds, sign_in_name
from tiktok.allowances import allowance_refund, allowance_take
from tiktok.api.parsers import JSONParser
from tiktok.api.throttling import client_identity
from tiktok.errors import AuthenticationFailed, RateLimited
from tiktok.web.links import site_url


class SignInApi(APIView):
    """Register and log in: JSON bodies only, and CSRF-checked for browsers.

    Without both, any site could post a form that signs a visitor in to an account of the
    site's choosing (login CSRF). JSON cannot be posted cross-site without a CORS preflight,
    which this API never grants; a browser (it says so: an Origin header, or Sec-Fetch-Site on
    anything but a typed-in navigation) must also carry the CSRF token, as the pages do. Native
    clients send neither, cookie jar or not, and are unaffected.
    """

    permission_classes = [AllowAny]
    # Who the caller already is does not matter here (an app's cookie jar may hold an old
    # session: DRF would demand a CSRF token of it); browsers are checked below.
    authentication_classes: list = []
    parser_classes = [JSONParser]
    throttle_scope = "auth"

    def initial(self, request: Request, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().initial(request, *args, **kwargs)
        meta = request._request.META
        fetch_site = meta.get("HTTP_SEC_FETCH_SITE")
        if "HTTP_ORIGIN" in meta or (fetch_site and fetch_site != "none"):
            SessionAuthentication().enforce_csrf(request)


class RegisterApi(SignInApi):
    @extend_schema(request=RegisterInput, responses={201: SignInOutput})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        taken = allowance_take(
            f"accounts-made:{client_identity(request)}",
            limit=settings.ACCOUNTS_PER_ADDRESS_PER_DAY,
            window_s=24 * 3600,
        )
        if not taken.allowed:
            allowance_refund(taken)  # asking again does not push the end further away
            raise RateLimited(
                "too many accounts were made from this address today; try again tomorrow",
                retry_after_seconds=3600,
                code="too_many_accounts",
            )
        try:
            user = user_register(**data.validated_data)
        except BaseException:
            allowance_refund(taken)  # a name taken, a weak password: no account made
            raise
        email_verification_start(user=user, base_url=site_url(request))
        login(request._request, user, backend="profiles.auth_backends.LockoutModelBackend")
        body = {"user": UserOutput(user).data, "token": user_token(user=user)}
        return Response(body, status=status.HTTP_201_CREATED)


class LoginApi(SignInApi):
    @extend_schema(request=LoginInput, responses={200: SignInOutput})
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        locked = sign_in_locked_seconds(username=sign_in_name(data.validated_data["username"]))
        if locked:
            raise RateLimited(
                f"too many failed sign-ins for this account; try again in {locked} s",
                retry_after_seconds=locked,
                code="account_locked",
            )
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            raise AuthenticationFailed("wrong username or password", code="invalid_credentials")
        login(request._request, user)
        return Response({"user": UserOutput(user).data, "token": user_token(user=user)})


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        # The token stops working whichever way the client signed in (a browser was given it
        # at sign-in too).
        user_token_revoke(user=request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserOutput})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)
