"""Every existing video gets its search document (the same statement as a refresh)."""

from django.db import migrations


def backfill(apps, schema_editor) -> None:  # noqa: ANN001, ARG001
    from search.documents import documents_backfill

    documents_backfill()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_documents_and_queries"),
        ("tagging", "0002_tag_vectors_and_confidence"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
