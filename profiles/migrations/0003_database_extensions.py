"""The database extensions the product needs at the versions it uses: pgvector updated to the
newest version installed on the server (0.8 brings iterative index scans), and pg_trgm (typo-
tolerant search). An external PostgreSQL must offer both (README: External PostgreSQL)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("profiles", "0002_tasteprofile_moves_to_feed")]

    operations = [
        migrations.RunSQL("ALTER EXTENSION vector UPDATE", migrations.RunSQL.noop),
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
    ]
