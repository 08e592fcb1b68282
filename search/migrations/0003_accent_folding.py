"""Search folds accents: text search configurations that run the unaccent dictionary before
the English stemmer and the simple one (contrib unaccent, a trusted extension), and every
document rebuilt with them (queries use the same ones, so documents written before would no
longer match)."""

from django.db import migrations

CONFIGS = {"tiktok_english": ("english", "english_stem"), "tiktok_simple": ("simple", "simple")}

CREATE = "CREATE EXTENSION IF NOT EXISTS unaccent;\n" + "\n".join(
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};\n"
    f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent});\n"
    f"ALTER TEXT SEARCH CONFIGURATION {name} "
    f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary};"
    for name, (parent, dictionary) in CONFIGS.items()
)
DROP = "\n".join(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};" for name in CONFIGS)


def backfill(apps, schema_editor) -> None:  # noqa: ANN001, ARG001
    from search.documents import documents_backfill

    documents_backfill()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_documents_backfill")]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
