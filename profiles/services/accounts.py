"""Account writes: registration, API tokens, profile edits (avatar pixels: avatars.py)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from profiles.models import USERNAME_SKELETON, User, username_skeleton
from profiles.services.avatars import avatar_image_clean
from profiles.services.graph import account_privacy_set
from tiktok.plain_text import BIDI_CONTROL_RE, has_visible_text
from tiktok.storage import storage_delete_later, storage_errors_as_unavailable

# Names that collide with routes such as /api/users/me or /@admin.
RESERVED_USERNAMES = {"me", "admin", "api", "static", "media", "upload", "login", "logout"}
# The characters and length of a username chosen at registration (and in the admin).
# Not ending in '.': a mention drops a final dot as punctuation ("@ana." named ana).
USERNAME_PATTERN = r"^[A-Za-z0-9_.]{2,29}[A-Za-z0-9_]$"
USERNAME_RULE = "3-30 letters, digits, '_' or '.', not ending in '.'"
MAX_DISPLAY_NAME_CHARS = 64
MAX_BIO_CHARS = 280
# The advisory-lock key space of registrations (the second key is the name's hash).
REGISTER_LOCK_SPACE = 7_402_301


def username_claim(*, username: str, user: User | None = None) -> None:
    """Check that `username` may be given to a new account, or to `user` when renaming it: not
    reserved, not taken in any case by another account (every lookup by name is
    case-insensitive), and not reading as another account's name (`username_skeleton`: "wi11iam"
    passed for "william", "rnaria" for "maria"; accounts made before this rule keep theirs).
    Call it inside the transaction that saves the name: it holds a lock per skeleton to the
    commit, so two claims of "maria" and "Maria" (or "mar1a") at the same moment see each other
    and the second gets this error (the unique index on the name in any case would refuse a
    same-name one too, as an IntegrityError). ValidationError on `username` otherwise."""
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": ["this username is reserved"]})
    skeleton = username_skeleton(username)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [REGISTER_LOCK_SPACE, skeleton]
        )
    alike = User.objects.annotate(skeleton=USERNAME_SKELETON).filter(skeleton=skeleton)
    if user is not None and user.pk is not None:
        alike = alike.exclude(pk=user.pk)
    names = list(alike.values_list("username", flat=True)[:10])
    if any(name.lower() == username.lower() for name in names):
        raise ValidationError({"username": ["this username is taken"]})
    if names:
        raise ValidationError(
            {"username": [f"this username looks like @{names[0]}'s; choose another"]}
        )


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "", display_name: str = "") -> User:
    """Create an account; raises ValidationError naming the field on bad input. The username is
    kept in lower case (as it is looked up): shown as typed, "wiIIiam" (capital i) read as the
    "william" it copied in the site's fonts."""
    username = username.lower()
    username_claim(username=username)
    display_name = display_name.strip()
    if problem := display_name_problem(display_name):
        raise ValidationError({"display_name": [problem]})
    user = User(username=username, email=email, display_name=display_name or username)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_token(*, user: User) -> str:
    """The API token for token-authenticated clients (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def user_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()


_UNSET = object()


def display_name_problem(display_name: str) -> str | None:
    """What is wrong with a (stripped) display name, if anything (the API and the admin)."""
    if len(display_name) > MAX_DISPLAY_NAME_CHARS:
        return f"display name is longer than {MAX_DISPLAY_NAME_CHARS} characters"
    if display_name and not has_visible_text(display_name):
        # A blank-looking name (Hangul fillers, zero-width spaces) hides who is speaking.
        return "display name has only invisible characters"
    if BIDI_CONTROL_RE.search(display_name):
        # An override turns the sentences it is shown in around ("... liked your video").
        return (
            "display name contains a text-direction control character "
            "(U+202A-U+202E, U+2066-U+2069)"
        )
    return None


def bio_problem(bio: str) -> str | None:
    """What is wrong with a (stripped) bio, if anything."""
    if len(bio) > MAX_BIO_CHARS:
        return f"bio is longer than {MAX_BIO_CHARS} characters"
    return None


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    avatar=_UNSET,  # noqa: ANN001 - an UploadedFile, None to remove, unset to keep
    is_private: bool | None = None,
) -> User:
    """Edit the profile fields that were given; text is stored as typed (plain text). Making
    the account private or public goes through `account_privacy_set` (going public approves
    pending follow requests)."""
    errors: dict[str, list[str]] = {}
    edited: list[str] = []
    if display_name is not None:
        display_name = display_name.strip()
        if problem := display_name_problem(display_name):
            errors["display_name"] = [problem]
        user.display_name = display_name
        edited.append("display_name")
    if bio is not None:
        bio = bio.strip()
        if problem := bio_problem(bio):
            errors["bio"] = [problem]
        user.bio = bio
        edited.append("bio")
    if errors:
        raise ValidationError(errors)

    if avatar is not _UNSET and avatar is not None:
        # Re-encoded and stored before the row is locked (a new name each time; one a rolled
        # back edit leaves, the orphan sweep removes): held through them, the lock kept every
        # follow of the account and every notice to it waiting for seconds.
        cleaned = avatar_image_clean(avatar)
        with storage_errors_as_unavailable():  # a 503 to retry, not a 500
            user.avatar.save(cleaned.name, cleaned, save=False)
    # The avatar as stored now (locked to the commit): the one this request read may have been
    # replaced, and its file deleted, by another edit since. A no-key lock: edits of the row
    # wait for it, rows referring to the account (a follow, a notice) do not.
    stored = User.objects.select_for_update(no_key=True).only("avatar").get(pk=user.pk)
    old_avatar_name = stored.avatar.name or ""
    if avatar is not _UNSET:
        if avatar is None:
            user.avatar = None
        edited.append("avatar")
    # Only the edited fields: writing back what this request read of the rest undid another
    # edit in flight (a privacy switch put back the old bio and an avatar whose file the other
    # edit had deleted), or a suspension.
    if edited:
        user.save(update_fields=edited)
    if is_private is not None:
        account_privacy_set(user=user, private=is_private)
    if avatar is not _UNSET and old_avatar_name and old_avatar_name != (user.avatar.name or ""):
        storage_delete_later(names=[old_avatar_name])
    user.refresh_from_db(fields=["display_name", "bio", "avatar", "is_private"])
    return user
