"""Indexes on likes and saves by person, newest first: the Liked and Saved tabs page by
`(-created_at, -id)` and sorted every like or save of the person on each page (220 ms at 50,000).
Built concurrently, so an upgrade of a large instance does not hold up likes while they build;
a build that failed part-way is dropped first."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("videos", "0016_video_posted_index")]

    operations = [
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS like_user_recent", migrations.RunSQL.noop
        ),
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS save_user_recent", migrations.RunSQL.noop
        ),
        AddIndexConcurrently(
            model_name="like",
            index=models.Index(fields=["user", "-created_at", "-id"], name="like_user_recent"),
        ),
        AddIndexConcurrently(
            model_name="save",
            index=models.Index(fields=["user", "-created_at", "-id"], name="save_user_recent"),
        ),
    ]
