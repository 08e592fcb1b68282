"""Each video gets a random media key (its storage folder), replacing the guessable id in object
keys. Existing rows get one each; their files move with `manage.py media_migrate`."""

from django.db import migrations, models

import videos.models.video


def fill_media_keys(apps, schema_editor):  # noqa: ANN001, ANN201
    """In one statement (not a round trip per video): 32 hex digits of PostgreSQL's strong
    random source, as `secrets.token_hex(16)` gives new videos."""
    Video = apps.get_model("videos", "Video")
    schema_editor.execute(
        f"UPDATE {Video._meta.db_table} SET media_key = replace(gen_random_uuid()::text, '-', '') "
        "WHERE media_key IS NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("videos", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="video",
            name="media_key",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_media_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="video",
            name="media_key",
            field=models.CharField(
                default=videos.models.video.new_media_key,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
