"""Stopping on a signal: SIGINT (Ctrl-C), SIGTERM (schedulers, `timeout`, Docker, Kubernetes)
and SIGHUP (a closed terminal) all stop a run the same clean way.

The first signal cancels the run: in-flight calls are cancelled, summary.json is written
with a resumable status (`cancelled` for SIGINT, `terminated` for SIGTERM and SIGHUP) and the
command exits 128 + the signal number (130, 143, 129). A second signal while stopping exits
at once with the same code. Handlers run on the event loop between callbacks, never in the
middle of writing a record, so every line on disk stays whole either way."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Coroutine
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_received: list[int] = []


class Stopped(Exception):
    """The run stopped on a signal (after its cleanup); `code` is the exit status."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        self.code = 128 + signum
        super().__init__(f"stopped by {self.name}")


def received() -> int | None:
    """The signal that is stopping the run (None if none)."""
    return _received[0] if _received else None


def stop_status(signum: int | None) -> tuple[str, str]:
    """summary.json's status and stop_reason for a run cancelled by `signum` (None: cancelled
    by its caller)."""
    if signum in (signal.SIGTERM, signal.SIGHUP):
        name = signal.Signals(signum).name
        return "terminated", f"stopped by {name}; the records so far are kept"
    return "cancelled", "stopped before the end; the records so far are kept"


async def until_signal(coro: Coroutine[Any, Any, Any]) -> Any:
    """Await `coro`, stopping it cleanly on SIGINT, SIGTERM or SIGHUP (then `Stopped`)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    _received.clear()

    def on_signal(signum: int) -> None:
        if _received:  # a second signal: the user does not want to wait for the cleanup
            name = signal.Signals(signum).name
            os.write(2, f"\nworkbench: {name} again; exiting now (records are whole)\n".encode())
            os._exit(128 + _received[0])
        _received.append(signum)
        task.cancel()

    installed = []
    for signum in SIGNALS:
        try:
            loop.add_signal_handler(signum, on_signal, signum)
            installed.append(signum)
        except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
            pass
    try:
        return await coro
    except asyncio.CancelledError:
        if _received:
            raise Stopped(_received[0]) from None
        raise
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
