"""The sign-in backend: Django's model backend behind the per-account lockout, so the API and
the admin's login form are guarded alike."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from profiles.services.sign_in_guard import (
    sign_in_failure_record,
    sign_in_locked_seconds,
    sign_in_name,
    sign_in_success_record,
)


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        # Usernames are unique without regard to case (registration refuses a case variant),
        # and phones capitalise the first letter: "Maria" signs in as maria. The lockout counts
        # per account, under the same name.
        name = sign_in_name(username)
        if sign_in_locked_seconds(username=name):
            # Stops every backend: a locked account is not even checked.
            raise PermissionDenied("account locked after too many failed sign-ins")
        user = super().authenticate(request, username=name, password=password, **kwargs)
        if user is None and password != password.strip():
            # Sign-up cut the spaces at a password's ends until 2026-12: an account made then
            # holds the cut password, which its owner types with the spaces.
            user = super().authenticate(request, username=name, password=password.strip(), **kwargs)
        if user is None:
            sign_in_failure_record(username=name)
        else:
            sign_in_success_record(username=name)
        return user
