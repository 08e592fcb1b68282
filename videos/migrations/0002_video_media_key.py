"""Each video gets a random media key (its storage folder), replacing the guessable id in object
keys. Existing rows get one each; their files move with `manage.py media_migrate`."""

import secrets

from django.db import migrations, models

import videos.models.video


def fill_media_keys(apps, schema_editor):  # noqa: ANN001, ANN201
    Video = apps.get_model("videos", "Video")
    for video in Video.objects.filter(media_key__isnull=True).only("pk").iterator():
        Video.objects.filter(pk=video.pk).update(media_key=secrets.token_hex(16))


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
