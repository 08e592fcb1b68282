"""Account and social-graph API routes (mounted under /api/)."""

from django.urls import path

from profiles.account_apis import (
    AccountDeleteApi,
    EmailChangeApi,
    EmailVerificationResendApi,
    PasswordChangeApi,
    PasswordResetApi,
    PasswordResetCheckApi,
    PasswordResetConfirmApi,
)
from profiles.apis import LoginApi, LogoutApi, MeApi, RegisterApi
from profiles.graph_apis import (
    BlockApi,
    FollowApi,
    MeFollowersApi,
    MeFollowRequestDecisionApi,
    MeFollowRequestsApi,
    UserFollowersApi,
    UserFollowingApi,
)

urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="auth-register"),
    path("auth/login", LoginApi.as_view(), name="auth-login"),
    path("auth/logout", LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", MeApi.as_view(), name="auth-me"),
    path("auth/password-reset", PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/check",
        PasswordResetCheckApi.as_view(),
        name="auth-password-reset-check",
    ),
    path(
        "auth/password-reset/confirm",
        PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("me/password", PasswordChangeApi.as_view(), name="me-password"),
    path("me/email", EmailChangeApi.as_view(), name="me-email"),
    path(
        "me/email/verification",
        EmailVerificationResendApi.as_view(),
        name="me-email-verification",
    ),
    path("me/delete", AccountDeleteApi.as_view(), name="me-delete"),
    path("users/<str:username>/follow", FollowApi.as_view(), name="user-follow"),
    path("users/<str:username>/block", BlockApi.as_view(), name="user-block"),
    path("users/<str:username>/followers", UserFollowersApi.as_view(), name="user-followers"),
    path("users/<str:username>/following", UserFollowingApi.as_view(), name="user-following"),
    path("me/followers/<str:username>", MeFollowersApi.as_view(), name="me-follower"),
    path("me/follow-requests", MeFollowRequestsApi.as_view(), name="me-follow-requests"),
    path(
        "me/follow-requests/<str:username>/approve",
        MeFollowRequestDecisionApi.as_view(decision="approve"),
        name="me-follow-request-approve",
    ),
    path(
        "me/follow-requests/<str:username>/deny",
        MeFollowRequestDecisionApi.as_view(decision="deny"),
        name="me-follow-request-deny",
    ),
]
