"""Indexes for searching hashtags (search app): name prefixes and trigram similarity."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("videos", "0010_hashtags_popular_index"), ("profiles", "0003_database_extensions")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX videos_hashtag_name_prefix ON videos_hashtag (name varchar_pattern_ops)",
            "DROP INDEX IF EXISTS videos_hashtag_name_prefix",
        ),
        migrations.RunSQL(
            "CREATE INDEX videos_hashtag_name_trgm ON videos_hashtag USING gin (name gin_trgm_ops)",
            "DROP INDEX IF EXISTS videos_hashtag_name_trgm",
        ),
    ]
