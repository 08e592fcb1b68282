"""A profile edit writes only what it was sent: another edit in flight keeps its changes."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from profiles.models import User
from profiles.services.accounts import profile_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _png(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_a_privacy_switch_in_flight_keeps_a_new_avatar_and_bio(
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    # The switch wrote back the bio and avatar its request had read: the old bio again, and an
    # avatar whose file the other edit had deleted.
    maya = UserFactory(username="maya", bio="old bio")
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(user=User.objects.get(pk=maya.pk), avatar=_png((200, 30, 30)))
    read_by_the_phone = User.objects.get(pk=maya.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the laptop's edit commits meanwhile
        profile_update(user=User.objects.get(pk=maya.pk), avatar=_png((30, 200, 30)), bio="new bio")
    laptop = User.objects.get(pk=maya.pk)

    with django_capture_on_commit_callbacks(execute=True):
        answer = profile_update(user=read_by_the_phone, is_private=True)

    now = User.objects.get(pk=maya.pk)
    assert (now.bio, now.avatar.name, now.is_private) == ("new bio", laptop.avatar.name, True)
    assert now.avatar.storage.exists(now.avatar.name)
    assert (answer.bio, answer.avatar.name) == ("new bio", laptop.avatar.name)


def test_replacing_an_avatar_another_edit_replaced_deletes_the_file_stored_now(
    celery_eager,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    maya = UserFactory(username="maya")
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(user=User.objects.get(pk=maya.pk), avatar=_png((200, 30, 30)))
    stale = User.objects.get(pk=maya.pk)
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(user=User.objects.get(pk=maya.pk), avatar=_png((30, 200, 30)))
    between = User.objects.get(pk=maya.pk).avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        profile_update(user=stale, avatar=_png((30, 30, 200)))

    now = User.objects.get(pk=maya.pk)
    assert not now.avatar.storage.exists(between)  # not left behind, unowned
    assert now.avatar.storage.exists(now.avatar.name)


@pytest.mark.django_db(transaction=True)
def test_a_profile_edit_in_flight_does_not_hold_up_rows_referring_to_the_account() -> None:
    # The edit locked the account's row FOR UPDATE, through re-encoding and storing an avatar:
    # anything referring to the account (a follow, a notice, a sign-in token) waited on it.
    import threading

    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    user = UserFactory()
    locked, finish, committed = threading.Event(), threading.Event(), threading.Event()

    def edit() -> None:
        try:
            with transaction.atomic():
                profile_update(user=User.objects.get(pk=user.pk), bio="an edit in flight")
                locked.set()
                finish.wait(20)
            committed.set()
        finally:
            connection.close()

    thread = threading.Thread(target=edit)
    thread.start()
    try:
        assert locked.wait(20)
        Token.objects.create(user=user)  # its foreign key check reads the account's row
        written_while_open = not committed.is_set()
    finally:
        finish.set()
        thread.join(30)
    assert written_while_open
    assert User.objects.get(pk=user.pk).bio == "an edit in flight"
