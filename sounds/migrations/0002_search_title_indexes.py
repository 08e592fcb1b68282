"""Indexes for searching sounds (search app): title prefixes and trigram similarity."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sounds", "0001_initial"), ("profiles", "0003_database_extensions")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX sounds_sound_title_prefix ON sounds_sound (lower(title) text_pattern_ops)",
            "DROP INDEX IF EXISTS sounds_sound_title_prefix",
        ),
        migrations.RunSQL(
            "CREATE INDEX sounds_sound_title_trgm ON sounds_sound USING gin (lower(title) gin_trgm_ops)",
            "DROP INDEX IF EXISTS sounds_sound_title_trgm",
        ),
    ]
