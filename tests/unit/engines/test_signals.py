"""The statuses a signal stop records, and the daemon-thread helper a stop does not wait for."""

from __future__ import annotations

import asyncio
import signal
import threading
import time

from workbench.engines._signals import Stopped, in_daemon_thread, stop_status


def test_each_signal_has_its_status_and_exit_code():
    assert stop_status(signal.SIGTERM)[0] == stop_status(signal.SIGHUP)[0] == "terminated"
    assert "SIGHUP" in stop_status(signal.SIGHUP)[1]
    assert stop_status(signal.SIGINT)[0] == stop_status(None)[0] == "cancelled"
    assert [Stopped(s).code for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == [
        130,
        143,
        129,
    ]


def test_a_daemon_thread_result_or_error_reaches_the_task():
    async def main():
        assert await in_daemon_thread(lambda: 41 + 1) == 42
        try:
            await in_daemon_thread(lambda: 1 / 0)
        except ZeroDivisionError:
            return "raised"

    assert asyncio.run(main()) == "raised"


def test_a_cancelled_wait_does_not_wait_for_the_thread():
    release = threading.Event()

    async def main():
        task = asyncio.ensure_future(in_daemon_thread(release.wait))
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"

    started = time.monotonic()
    assert asyncio.run(main()) == "cancelled"  # asyncio.run does not join the thread
    assert time.monotonic() - started < 5
    release.set()
