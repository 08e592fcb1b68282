"""Where model calls run: one thread per model. Each model runs one call at a time anyway (a
lock, or cores it saturates), and in the event loop's shared pool queued transcriptions took
every thread while a search query's text embedding waited behind them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")


def model_thread(name: str) -> ThreadPoolExecutor:
    """The one thread of one model; its calls queue there."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)


async def in_thread(executor: ThreadPoolExecutor, work: Callable[..., R], *args: Any) -> R:
    """Run `work(*args)` in the model's thread and wait for it without blocking the loop."""
    return await asyncio.get_running_loop().run_in_executor(executor, work, *args)
