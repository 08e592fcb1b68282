"""TasteProfile moves to the feed app (the feed owns taste): the table is renamed and the model
leaves this app's state; feed's migration 0006 takes it into its state. Every row is kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="tasteprofile", table="feed_tasteprofile"),
            ],
            state_operations=[migrations.DeleteModel(name="TasteProfile")],
        ),
    ]
