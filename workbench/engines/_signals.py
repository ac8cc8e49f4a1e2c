"""Stopping on a signal: SIGINT (Ctrl-C), SIGTERM (schedulers, `timeout`, Docker, Kubernetes)
and SIGHUP (a closed terminal) all stop a run the same clean way.

The first signal cancels the run: in-flight calls are cancelled, summary.json is written
with a resumable status (`cancelled` for SIGINT, `terminated` for SIGTERM and SIGHUP) and the
command exits 128 + the signal number (130, 143, 129). A second signal while stopping exits
at once with the same code. Handlers run on the event loop between callbacks, never in the
middle of writing a record, so every line on disk stays whole either way."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable, Coroutine
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
            _exit_now(signum)
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
            if _received:  # stopping: a further signal while the process winds down exits now
                signal.signal(signum, lambda signum, frame: _exit_now(signum))


def _exit_now(signum: int) -> None:
    """Exit at once, with the first signal's status (called between callbacks or after the
    run: never in the middle of writing a record)."""
    name = signal.Signals(signum).name
    os.write(2, f"\nworkbench: {name} again; exiting now (records are whole)\n".encode())
    os._exit(128 + _received[0])


async def in_daemon_thread(fn: Callable[[], Any]) -> Any:
    """`fn()` in a daemon thread (like `asyncio.to_thread`, but a stop does not wait for it:
    importing LiteLLM can take seconds, and a SIGTERM must not)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result: Any, exc: BaseException | None) -> None:
        if future.done():  # cancelled meanwhile
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)

    def work() -> None:
        try:
            result, exc = fn(), None
        except BaseException as error:  # handed to the awaiting task
            result, exc = None, error
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(settle, result, exc)

    threading.Thread(target=work, name=getattr(fn, "__name__", "work"), daemon=True).start()
    return await future
