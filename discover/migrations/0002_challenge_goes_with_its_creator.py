"""A creator's challenge goes with the creator's account (CASCADE, handled by Django's deletion).

With SET_NULL an erased creator's challenge stayed, listed again as an operator's (no creator)
with the title and rules that creator wrote, even after moderation had hidden it with the
suspended account. Challenges orphaned that way before this migration cannot be told from an
operator's and stay; the admin deletes one that should not."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('discover', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='challenge',
            name='creator',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='challenges_created', to=settings.AUTH_USER_MODEL),
        ),
    ]
