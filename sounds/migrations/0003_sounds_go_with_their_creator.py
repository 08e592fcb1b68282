"""A sound goes with its creator's account (CASCADE, was SET_NULL), and the sounds deleted
accounts left behind (creator NULL: nothing else makes one) are deleted now. Their audio files
are left to `manage.py media_orphans`, which sweeps `sounds/` too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def delete_orphaned_sounds(apps, schema_editor):  # noqa: ANN001, ANN201
    apps.get_model("sounds", "Sound").objects.filter(creator__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sounds", "0002_search_title_indexes"),
        ("videos", "0012_share_count_once_per_sharer"),
        ("discover", "0001_initial"),
        ("moderation", "0002_sound_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="sound",
            name="creator",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sounds",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(delete_orphaned_sounds, migrations.RunPython.noop),
    ]
