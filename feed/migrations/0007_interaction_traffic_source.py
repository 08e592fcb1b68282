"""Interactions carry where the viewer opened the video; earlier events are "unknown"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feed", "0006_tasteprofile_from_profiles")]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="traffic_source",
            field=models.CharField(
                choices=[
                    ("for_you", "For You"),
                    ("following", "Following"),
                    ("profile", "Profile"),
                    ("search", "Search"),
                    ("hashtag", "Hashtag"),
                    ("sound", "Sound"),
                    ("share_link", "Share Link"),
                    ("direct", "Direct"),
                    ("unknown", "Unknown"),
                ],
                default="unknown",
                max_length=16,
            ),
        ),
    ]
