"""Challenges in the admin: operators create them here through `challenge_create` (the API's
checks, its errors shown on the form's fields) and edit their text and end."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from discover.challenges import (
    MAX_RULES_CHARS,
    MAX_TITLE_CHARS,
    challenge_create,
    hashtag_name_parse,
)
from discover.models import Challenge
from tiktok.errors import ApplicationError
from tiktok.plain_text import plain_text_clean
from videos.models import Hashtag

# The change form lists this many entries, best first (the whole list is the leaderboard's).
ADMIN_TOP_ENTRIES = 20
# challenge_create's field names -> this form's.
_SERVICE_FIELDS = {"hashtag": "hashtag_name", "sound_id": "sound"}


class ChallengeForm(forms.ModelForm):
    hashtag_name = forms.CharField(label="Hashtag", help_text="e.g. #dance (created if new)")
    # The operator creating a challenge (ChallengeAdmin.get_form sets it on the form's class).
    operator: Any = None

    class Meta:
        model = Challenge
        fields = ("hashtag_name", "title", "rules", "sound", "starts_at", "ends_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "hashtag_name" in self.fields:
            self.fields["hashtag_name"].initial = self.instance.hashtag.name

    def clean_hashtag_name(self) -> str:
        try:
            return hashtag_name_parse(self.cleaned_data["hashtag_name"], field="hashtag_name")
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["hashtag_name"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_at = data.get("starts_at", self.instance.starts_at)
        ends_at = data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "ends_at must be after starts_at")
        if self.instance.pk is not None:
            self._edit_check(data, starts_at=starts_at, ends_at=ends_at)
        return data

    def _edit_check(
        self, data: dict[str, Any], *, starts_at: dt.datetime | None, ends_at: dt.datetime | None
    ) -> None:
        """An edit keeps challenge_create's rules on what it changes (an operator may end a
        challenge early, so an end in the past is allowed here)."""
        for field, what, max_chars in (
            ("title", "title", MAX_TITLE_CHARS),
            ("rules", "rules", MAX_RULES_CHARS),
        ):
            if field in data:
                try:
                    data[field] = plain_text_clean(
                        data[field],
                        field=field,
                        what=what,
                        max_chars=max_chars,
                        required=field == "title",
                    )
                except ValidationError as exc:
                    self.add_error(field, exc.message_dict[field])
        sound = data.get("sound")
        if "sound" in self.changed_data and sound is not None and sound.hidden_at is not None:
            self.add_error("sound", f"there is no sound {sound.pk}")
        longest = dt.timedelta(days=settings.CHALLENGE_MAX_DAYS)
        if starts_at and ends_at and ends_at - starts_at > longest:
            self.add_error(
                "ends_at", f"a challenge lasts at most {settings.CHALLENGE_MAX_DAYS} days"
            )

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.instance.pk is not None or self.errors:
            return
        # A new challenge is created here, through the service, so that its refusals are the
        # form's errors; the admin's save runs in the same transaction and saves nothing more.
        data = self.cleaned_data
        try:
            self.instance = challenge_create(
                creator=self.operator,
                hashtag=data["hashtag_name"],
                title=data["title"],
                rules=data.get("rules") or "",
                sound_id=data["sound"].pk if data.get("sound") else None,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                name = _SERVICE_FIELDS.get(field, field)
                self.add_error(name if name in self.fields else None, messages)
        except ApplicationError as exc:
            self.add_error(None, str(exc))

    def save(self, commit: bool = True) -> Challenge:  # noqa: FBT001, FBT002
        if "hashtag_name" in self.cleaned_data:
            self.instance.hashtag, _ = Hashtag.objects.get_or_create(
                name=self.cleaned_data["hashtag_name"]
            )
        return super().save(commit=commit)


class ChallengeWithEntriesForm(ChallengeForm):
    """A challenge with entries keeps its hashtag, sound and start: they decided which videos
    joined, and changing them would leave entries that no longer meet them."""

    hashtag_name = None

    class Meta:
        model = Challenge
        fields = ("title", "rules", "ends_at")


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeForm
    list_display = ("title", "hashtag", "starts_at", "ends_at", "entry_count", "creator")
    list_select_related = ("hashtag", "creator")
    search_fields = ("title", "hashtag__name")
    raw_id_fields = ("sound",)

    def get_form(
        self,
        request: HttpRequest,
        obj: Challenge | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:  # noqa: FBT001, FBT002
        if obj is not None and obj.entries.exists():
            kwargs["form"] = ChallengeWithEntriesForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.operator = request.user
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Challenge | None = None) -> Any:
        if obj is None:
            return ()
        if obj.entries.exists():
            return ("hashtag", "sound", "starts_at", "top_entries")
        return ("top_entries",)

    def save_model(self, request: HttpRequest, obj: Challenge, form: Any, change: bool) -> None:  # noqa: FBT001
        if change:  # a new one was created by the form, through challenge_create
            super().save_model(request, obj, form, change)

    @admin.display(description="Entries")
    def top_entries(self, obj: Challenge) -> str:
        entries = list(
            obj.entries.select_related("video").order_by("-score", "joined_at", "id")[
                :ADMIN_TOP_ENTRIES
            ]
        )
        if not entries:
            return "none yet"
        rows = format_html_join(
            "",
            "<li>{} (score {}: {} likes, {} shares, {} completions; joined {})</li>",
            (
                (
                    (entry.video.caption[:60] or str(entry.video)),
                    entry.score,
                    entry.likes,
                    entry.shares,
                    entry.completions,
                    entry.joined_at.strftime("%Y-%m-%d %H:%M"),
                )
                for entry in entries
            ),
        )
        return format_html(
            '<p>The best {} of {} (<a href="/challenge/{}">the leaderboard</a>)</p><ol>{}</ol>',
            len(entries),
            obj.entry_count,
            obj.pk,
            rows,
        )
