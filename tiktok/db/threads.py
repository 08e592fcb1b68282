"""Process-wide helper thread pools, created on first use and never inherited by a fork."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pools: dict[str, ThreadPoolExecutor] = {}
# A forked child has none of the parent's threads: it starts its own pools.
os.register_at_fork(after_in_child=_pools.clear)


def helper_pool(name: str, workers: int) -> ThreadPoolExecutor:
    """The process's pool called `name` (its size is fixed by the first call)."""
    with _lock:
        if name not in _pools:
            _pools[name] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        return _pools[name]
