"""Every existing video got its search document here; 0003_accent_folding rebuilds them all
with the configurations it creates (the code's statement names those, so it cannot run here,
before they exist)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_documents_and_queries"),
        ("tagging", "0002_tag_vectors_and_confidence"),
    ]

    operations = []
