"""Input validation for the videos API."""

from __future__ import annotations

from rest_framework import serializers

from videos.models import Privacy
from videos.services.videos import MAX_CAPTION_CHARS


class VideoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    caption = serializers.CharField(
        max_length=MAX_CAPTION_CHARS, required=False, allow_blank=True, default=""
    )
    privacy = serializers.ChoiceField(choices=Privacy.choices, required=False, default="public")
    # "Use this sound": the sound's id, and how loud the video's own audio stays under it.
    sound = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    sound_volume = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0.0, max_value=1.0
    )


class VideoUpdateSerializer(serializers.Serializer):
    """PATCH /api/videos/<id>: the fields an owner may change after upload (both optional)."""

    caption = serializers.CharField(max_length=MAX_CAPTION_CHARS, required=False, allow_blank=True)
    privacy = serializers.ChoiceField(choices=Privacy.choices, required=False)
