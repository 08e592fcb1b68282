"""CreatorDay.unique_viewers: each creator's distinct viewers a day (the overview's daily series
summed the videos' own uniques, counting a fan of three videos three times). Filled for the days
already rolled up, from the interaction log, in one statement."""

from django.db import migrations, models


def _fill(apps, schema_editor) -> None:  # noqa: ANN001
    creator_day = apps.get_model("studio", "CreatorDay")._meta.db_table
    video_day = apps.get_model("studio", "VideoDay")._meta.db_table
    interaction = apps.get_model("feed", "Interaction")._meta.db_table
    video = apps.get_model("videos", "Video")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {creator_day} "
            "(creator_id, day, followers_gained, followers_lost, unique_viewers) "
            "SELECT v.owner_id, (i.created_at AT TIME ZONE 'UTC')::date, 0, 0, "
            "count(DISTINCT CASE WHEN i.user_id IS NOT NULL THEN 'u' || i.user_id "
            "WHEN i.session_id <> '' THEN 's' || i.session_id ELSE 'e' || i.id END) "
            f"FROM {interaction} i JOIN {video} v ON v.id = i.video_id "
            f"WHERE i.type = 'play' AND i.created_at >= "
            f"(SELECT min(day) FROM {video_day})::timestamp AT TIME ZONE 'UTC' "
            f"AND i.created_at < ((SELECT max(day) FROM {video_day}) + 1)::timestamp "
            "AT TIME ZONE 'UTC' GROUP BY 1, 2 "
            "ON CONFLICT (creator_id, day) DO UPDATE SET unique_viewers = EXCLUDED.unique_viewers"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0001_initial"),
        ("feed", "0009_counted_engagement"),
        ("videos", "0012_share_count_once_per_sharer"),
    ]

    operations = [
        migrations.AddField(
            model_name="creatorday",
            name="unique_viewers",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
