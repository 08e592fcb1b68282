"""A trigram index on videos' captions in any case, for the admin's caption search (a caption
matched anywhere in it, `UPPER(caption) LIKE UPPER('%words%')`, as Django's `icontains` asks):
without it that search read every video. Built concurrently, so an upgrade of a large instance
does not hold up uploads and edits while it builds."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("videos", "0014_public_counts_owner_lock"), ("profiles", "0003_database_extensions")]

    operations = [
        # A build that failed part-way (cancelled, or the server stopped) leaves an invalid
        # index of that name: dropped first, so a second try builds it whole.
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS videos_video_caption_trgm", migrations.RunSQL.noop
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY videos_video_caption_trgm "
            "ON videos_video USING gin (UPPER(caption) gin_trgm_ops)",
            "DROP INDEX CONCURRENTLY IF EXISTS videos_video_caption_trgm",
        ),
    ]
