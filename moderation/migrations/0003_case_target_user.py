"""Case.target_user: whose item a case is about, kept when the item goes. Filled for the cases
already there from the item they still point to (a case whose item was deleted before this
migration has nobody left to name)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def target_user_backfill(apps, schema_editor):  # noqa: ANN001, ANN201
    Case = apps.get_model("moderation", "Case")
    owners = {
        "video": apps.get_model("videos", "Video").objects.values("owner_id"),
        "comment": apps.get_model("videos", "Comment").objects.values("author_id"),
        "sound": apps.get_model("sounds", "Sound").objects.values("creator_id"),
    }
    for kind, owner in owners.items():
        Case.objects.filter(kind=kind, **{f"{kind}__isnull": False}).update(
            target_user_id=Subquery(owner.filter(pk=OuterRef(f"{kind}_id"))[:1])
        )
    Case.objects.filter(kind="user", user__isnull=False).update(
        target_user_id=models.F("user_id")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0002_sound_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='target_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(target_user_backfill, migrations.RunPython.noop),
    ]
