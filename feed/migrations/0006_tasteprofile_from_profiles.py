"""TasteProfile joins the feed app's state; profiles' migration 0002 renamed its table to
feed_tasteprofile (no rows move, none are lost)."""

import django.db.models.deletion
import pgvector.django.vector
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0005_coengagement_one_row_per_pair"),
        ("profiles", "0002_tasteprofile_moves_to_feed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="TasteProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("embedding_version", models.CharField(max_length=64)),
                        ("vector", pgvector.django.vector.VectorField()),
                        ("weighted_sum", pgvector.django.vector.VectorField()),
                        ("weight_total", models.FloatField(default=0.0)),
                        ("positive_count", models.PositiveIntegerField(default=0)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="taste_profiles",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "embedding_version"),
                                name="one_taste_per_user_version",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
