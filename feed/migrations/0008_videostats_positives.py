"""VideoStats.positives: the strong positives co-engagement counts are made of (item-kNN's
normalisation). Existing rows start from finishes + likes + shares, the positives their
counters still show (watches past 40% were not counted apart)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feed", "0007_interaction_traffic_source")]

    operations = [
        migrations.AddField(
            model_name="videostats",
            name="positives",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunSQL(
            "UPDATE feed_videostats SET positives = finishes + likes + shares",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
