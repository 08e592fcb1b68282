"""What a statement did, from PostgreSQL's own account of running it (EXPLAIN ANALYZE): rows
passed through its plan's nodes, a measure of its work that does not depend on the machine."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection


def rows_processed(sql: str, params: Any = None, *, table: str | None = None) -> float:
    """Rows every node of the statement's plan produced or filtered out, times its loops (a
    subplan rescanned once per outer row counts each time); with `table`, only the nodes that
    read that table."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
    if isinstance(document, str):
        document = json.loads(document)
    total = 0.0
    nodes = [document[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if table is not None and node.get("Relation Name") != table:
            continue
        visited = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        total += visited * node.get("Actual Loops", 1)
    return total
