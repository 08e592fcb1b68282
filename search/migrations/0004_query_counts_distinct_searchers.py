"""SearchQuery.count becomes the number of distinct searchers (search.query_log keeps one
HyperLogLog of searchers per query). The stored counts were searcher-days (one person searching a
name on three days counted three) and cannot be turned into people, so they start again from zero:
past queries stop being suggested until that many different people search them again, and those
nobody searches are pruned after SEARCH_QUERY_RETAIN_DAYS as before. Keeping them would keep the
suggestions the old count let through, which is the leak this fixes."""

from django.db import migrations


def counts_restart(apps, schema_editor) -> None:  # noqa: ANN001, ARG001
    apps.get_model("search", "SearchQuery").objects.update(count=0)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_accent_folding")]

    operations = [migrations.RunPython(counts_restart, migrations.RunPython.noop)]
