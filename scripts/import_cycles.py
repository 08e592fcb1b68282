#!/usr/bin/env python3
"""Fail when modules of the project import each other in a circle (imports inside functions
count: a lazy import is still a dependency). Prints each cycle; exits 1 if there is any.

Usage (from the project root, or any copy of it): python scripts/import_cycles.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

PACKAGES = (
    "tiktok",
    "profiles",
    "sounds",
    "videos",
    "tagging",
    "feed",
    "discover",
    "search",
    "studio",
    "moderation",
    "notifications",
    "takeout",
    "embedder_service",
)


def module_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main() -> int:
    sys.path.insert(0, str(Path.cwd()))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = module_cycles(graph)
    for cycle in cycles:
        print("module cycle: " + " <-> ".join(cycle))
    print(f"{len(graph.modules)} modules, {len(cycles)} cycle(s)")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
