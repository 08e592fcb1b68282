"""Challenges in the admin: operators create them here (the same checks as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from discover.challenges import hashtag_name_parse
from discover.models import Challenge, ChallengeEntry
from videos.models import Hashtag


class ChallengeForm(forms.ModelForm):
    hashtag_name = forms.CharField(label="Hashtag", help_text="e.g. #dance (created if new)")

    class Meta:
        model = Challenge
        fields = ("hashtag_name", "title", "rules", "sound", "starts_at", "ends_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["hashtag_name"].initial = self.instance.hashtag.name

    def clean_hashtag_name(self) -> str:
        try:
            return hashtag_name_parse(self.cleaned_data["hashtag_name"], field="hashtag_name")
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["hashtag_name"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "ends_at must be after starts_at")
        return data

    def save(self, commit: bool = True) -> Challenge:  # noqa: FBT001, FBT002
        self.instance.hashtag, _ = Hashtag.objects.get_or_create(
            name=self.cleaned_data["hashtag_name"]
        )
        return super().save(commit=commit)


class ChallengeEntryInline(admin.TabularInline):
    model = ChallengeEntry
    fields = ("video", "score", "likes", "shares", "completions", "joined_at")
    readonly_fields = fields
    ordering = ("-score",)
    extra = 0
    can_delete = False


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeForm
    list_display = ("title", "hashtag", "starts_at", "ends_at", "entry_count", "creator")
    search_fields = ("title", "hashtag__name")
    raw_id_fields = ("sound",)
    inlines = [ChallengeEntryInline]

    def save_model(self, request, obj: Challenge, form, change: bool) -> None:  # noqa: ANN001, FBT001
        if not change and obj.creator_id is None:
            obj.creator = request.user
        super().save_model(request, obj, form, change)
