"""Run a coroutine from synchronous code, in scripts and in notebooks.

The API is async-first. For sync callers all coroutines run on one long-lived
event loop in a background thread, so LiteLLM's loop-bound HTTP clients stay
valid across calls (repeated `asyncio.run` would close their loop). In a
notebook, prefer `await workbench.arun(...)`: it runs on the kernel's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="workbench-loop", daemon=True).start()
        return _loop


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Block until `coro` finishes on the background loop; Ctrl-C cancels it cleanly."""
    future = asyncio.run_coroutine_threadsafe(coro, background_loop())
    try:
        return future.result()
    except KeyboardInterrupt:
        future.cancel()
        with contextlib.suppress(BaseException):
            future.result(timeout=30)
        raise
