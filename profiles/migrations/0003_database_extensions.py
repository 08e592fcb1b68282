"""The database extensions the product needs at the versions it uses: pgvector updated to the
newest version installed on the server (0.8 brings iterative index scans), and pg_trgm (typo-
tolerant search). An external PostgreSQL must offer both (README: External PostgreSQL)."""

from django.db import migrations


# Only the extension's owner (or a superuser) may update it: on a managed PostgreSQL where an
# administrator created the extensions beforehand, the app's role updates nothing and goes on
# when the version is new enough, and otherwise says what to run as the owner.
VECTOR_UPDATE = """
DO $$
DECLARE
    ext record;
BEGIN
    SELECT extversion, pg_has_role(extowner, 'USAGE') AS owned INTO ext
    FROM pg_extension WHERE extname = 'vector';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the pgvector extension is not installed in this database'
            USING HINT = 'as a superuser: CREATE EXTENSION vector';
    END IF;
    IF ext.owned THEN
        ALTER EXTENSION vector UPDATE;
    ELSIF string_to_array(substring(ext.extversion FROM '^[0-9.]*[0-9]'), '.')::int[]
          < ARRAY[0, 8] THEN
        RAISE EXCEPTION 'pgvector % is installed; the product needs 0.8 or newer', ext.extversion
            USING HINT = 'as the extension''s owner or a superuser: ALTER EXTENSION vector UPDATE';
    END IF;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("profiles", "0002_tasteprofile_moves_to_feed")]

    operations = [
        migrations.RunSQL(VECTOR_UPDATE, migrations.RunSQL.noop),
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
    ]
