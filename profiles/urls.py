"""Account and social-graph API routes (mounted under /api/)."""

from django.urls import path

from profiles.apis import LoginApi, LogoutApi, MeApi, RegisterApi
from profiles.graph_apis import BlockApi, FollowApi

urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="auth-register"),
    path("auth/login", LoginApi.as_view(), name="auth-login"),
    path("auth/logout", LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", MeApi.as_view(), name="auth-me"),
    path("users/<str:username>/follow", FollowApi.as_view(), name="user-follow"),
    path("users/<str:username>/block", BlockApi.as_view(), name="user-block"),
]
