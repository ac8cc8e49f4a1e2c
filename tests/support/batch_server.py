"""A test server speaking the OpenAI Files and Batches APIs on 127.0.0.1, answering each line
as the simulator answers the role its model is named after (`openai/challenger` sends
`challenger`), in a thread of its own so that it outlives a killed `workbench run`.

The protocol is the simulator's (`workbench/providers/sim/_batches.py`: multipart upload with
purpose `batch`, validation, `validating -> in_progress -> completed | failed | expired`,
output and error files, request counts). On top of it a test can decide how each batch ends
(`fates`: `completed`, `failed`, `expired`, taken in order), hold batches in progress
(`hold`), and read what was sent (`lines`: every input line's custom_id and body, per batch;
`counts`)."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from aiohttp import web

from tests.support import free_port
from workbench.providers.sim._batches import BatchAPI, parse_input
from workbench.providers.sim._server import answer_chat, make_app


class _ControlledBatches(BatchAPI):
    def __init__(self, server: BatchServer):
        super().__init__(answer_chat)
        self.server = server

    def fate(self, batch: dict[str, Any]) -> str:
        with self.server.lock:
            return self.server.fates.pop(0) if self.server.fates else "completed"

    async def gate(self, batch: dict[str, Any]) -> None:
        lines, _ = parse_input(self.contents[batch["input_file_id"]], batch["endpoint"])
        with self.server.lock:
            self.server.lines[batch["id"]] = [(line["custom_id"], line["body"]) for line in lines]
        while not self.server.hold.is_set():
            await asyncio.sleep(0.02)


class BatchServer:
    """The Files and Batches APIs (and chat completions) in a thread on 127.0.0.1."""

    def __init__(self) -> None:
        self.fates: list[str] = []
        self.hold = threading.Event()
        """Batches stay `in_progress` while this is clear (set by default)."""
        self.hold.set()
        self.lock = threading.Lock()
        self.lines: dict[str, list[tuple[str, dict]]] = {}
        self.api = _ControlledBatches(self)
        self.port = free_port()
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("batch test server did not start")

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.api.counts)

    def statuses(self) -> dict[str, str]:
        return {batch_id: b["status"] for batch_id, b in self.api.batches.items()}

    def bodies(self) -> list[str]:
        """Every line body sent, as canonical JSON (a request sent twice appears twice)."""
        with self.lock:
            return [json.dumps(body, sort_keys=True) for v in self.lines.values() for _, body in v]

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(make_app(batches=self.api), access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        self.hold.set()
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
