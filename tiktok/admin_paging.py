"""Change lists of big tables (videos, likes, comments, tags of videos, notifications, reports):
no COUNT(*) of the whole table on a page view. An unfiltered list is paged by PostgreSQL's own
estimate of the table's rows once the table is large; a searched or filtered one counts only its
matches (no "N total" beside them)."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.functional import cached_property

# Below this many rows (by the estimate) an exact count is cheap and reads better.
ESTIMATE_ABOVE_ROWS = 100_000


def table_rows_estimate(model: type[Model]) -> int | None:
    """The planner's row count of the model's table (pg_class.reltuples, kept by autovacuum's
    ANALYZE); None for a table never analysed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


class EstimatedCountPaginator(Paginator):
    """Pages an unfiltered queryset of a large table by the estimate instead of a COUNT(*)."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.where:
            estimate = table_rows_estimate(rows.model)
            if estimate is not None and estimate >= ESTIMATE_ABOVE_ROWS:
                return estimate
        return super().count


class BigTableAdmin(admin.ModelAdmin):
    """A ModelAdmin whose change list never counts its whole table, and whose search by an
    account's name (a search field `<path>__username__exact`) matches the name whatever its
    case, as sign-in and profile links do: one lookup on the `lower(username)` index."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        username_paths = [
            field.removesuffix("__exact")
            for field in self.search_fields
            if field.endswith("username__exact")
        ]
        name = search_term.strip().removeprefix("@")
        if not name or len(username_paths) != len(self.search_fields):
            return super().get_search_results(request, queryset, search_term)
        matches = Q()
        for path in username_paths:
            matches |= Q(**{path.replace("__", "_") + "_lower": name.lower()})
        annotations = {path.replace("__", "_") + "_lower": Lower(path) for path in username_paths}
        return queryset.alias(**annotations).filter(matches), False
