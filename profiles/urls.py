"""Account and social-graph API routes."""

from django.urls import include, path

from profiles.apis import LoginApi, LogoutApi, MeApi, RegisterApi

urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="auth-register"),
    path("auth/login", LoginApi.as_view(), name="auth-login"),
    path("auth/logout", LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", MeApi.as_view(), name="auth-me"),
    path("", include("profiles.social_urls")),
]
