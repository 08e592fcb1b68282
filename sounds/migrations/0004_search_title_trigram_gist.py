"""A GiST trigram index on sound titles (search app): the typo branch of sound search reads
the nearest titles in order (`<->>`) and stops at the page instead of ranking every title
that shares a few trigrams with the query."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sounds", "0003_sounds_go_with_their_creator")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX sounds_sound_title_trgm_gist ON sounds_sound "
            "USING gist (lower(title) gist_trgm_ops)",
            "DROP INDEX IF EXISTS sounds_sound_title_trgm_gist",
        ),
    ]
