"""Account endpoints: register, log in, log out, who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.serializers import LoginInput, RegisterInput, UserOutput
from profiles.services.accounts import user_register, user_token, user_token_revoke
from tiktok.errors import AuthenticationFailed


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        body = {"user": UserOutput(user).data, "token": user_token(user=user)}
        return Response(body, status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=LoginInput, responses={200: UserOutput})
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            raise AuthenticationFailed("wrong username or password", code="invalid_credentials")
        login(request._request, user)
        return Response({"user": UserOutput(user).data, "token": user_token(user=user)})


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if request.auth is not None:  # token clients: the token stops working
            user_token_revoke(user=request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserOutput})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)
