"""CountedEngagement: each signed-in viewer counts once per video in its impressions, plays,
finishes, skips, shares and positives. The table starts from the events already stored, so a
viewer who played a video before the upgrade does not count again after it. A positive is as
feed.weights.positive_weight has it with this deployment's settings: a finish, rewatch, like,
save or share, or a watch of at least FEED_WATCH_POSITIVE_RATIO of the video (a skip also at
least FEED_SKIP_NEGATIVE_MS long). (A FEED_WEIGHT_* set to 0, which would make its type no
positive, is not looked at: such a viewer's later positive of that video just does not count.)"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL_SQL = """
INSERT INTO feed_countedengagement (user_id, video_id, kind)
SELECT DISTINCT i.user_id, i.video_id,
       CASE i.type WHEN 'impression' THEN 1 WHEN 'play' THEN 2 WHEN 'finish' THEN 3
                   WHEN 'skip' THEN 4 WHEN 'share' THEN 6 END
FROM feed_interaction i
WHERE i.user_id IS NOT NULL AND i.type IN ('impression', 'play', 'finish', 'skip', 'share')
UNION
SELECT DISTINCT i.user_id, i.video_id, 5
FROM feed_interaction i JOIN videos_video v ON v.id = i.video_id
WHERE i.user_id IS NOT NULL
  AND (i.type IN ('finish', 'rewatch', 'like', 'save', 'share')
       OR (i.type IN ('impression', 'play', 'pause', 'skip') AND v.duration_s > 0
           AND i.watch_ms >= %(ratio)s * v.duration_s * 1000
           AND NOT (i.type = 'skip' AND i.watch_ms < %(skip_ms)s)))
ON CONFLICT DO NOTHING
"""


def backfill_params() -> dict[str, float]:
    return {
        "ratio": float(settings.FEED_WATCH_POSITIVE_RATIO),
        "skip_ms": int(settings.FEED_SKIP_NEGATIVE_MS),
    }


def backfill(apps, schema_editor) -> None:  # noqa: ANN001
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL_SQL, backfill_params())


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0008_videostats_positives"),
        ("videos", "0011_search_hashtag_name_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CountedEngagement",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "user",
                        "video",
                        "kind",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "kind",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Impression"),
                            (2, "Play"),
                            (3, "Finish"),
                            (4, "Skip"),
                            (5, "Positive"),
                            (6, "Share"),
                        ]
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "video",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="videos.video",
                    ),
                ),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
