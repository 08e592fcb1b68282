"""Co-engagement stored once per pair (video_a < video_b) instead of in both directions: both
directions always carried the same count, so the rows with video_a > video_b are dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feed", "0004_coengagement_lean_indexes")]

    operations = [
        migrations.RunSQL(
            "DELETE FROM feed_coengagement WHERE video_a_id >= video_b_id",
            "INSERT INTO feed_coengagement (video_a_id, video_b_id, count) "
            "SELECT video_b_id, video_a_id, count FROM feed_coengagement "
            "WHERE video_a_id < video_b_id",
        ),
    ]
