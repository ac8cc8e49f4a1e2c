"""A backend that sends requests as provider batch jobs (half price, hours of latency).

`complete()` and the orchestrator stay as they are: each call awaits this backend like any
other. The backend holds every request it is given until no more can arrive (every task of
the run is blocked on a call, a timer or I/O: the event loop has nothing ready to run), then
sends what it holds as one batch job per model (JSONL upload, batch create), polls it with
backoff, downloads the output and error files and answers each waiting call by its
`custom_id`. The loop therefore advances all documents step by step, each step one batch.

A line that came back failed raises as the provider's error would (its status code), so
the retry policy and the circuit breaker treat it as an async call's failure; a retry goes
into a later batch. Requests left unanswered by a batch that failed, expired or was
cancelled are sent once more in a new batch, then end as errors (`BatchFailed`).
A journal (the engine's RUN_DIR/batches.jsonl) hears of every batch before it is polled and
once its replies were used, so a restarted run re-polls an unfinished batch (`adopt`)
instead of paying for it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from workbench.model._reply import Reply
from workbench.model.backends._batch_wire import (
    BatchItemError,
    Endpoint,
    LiteLLMBatches,
    parse_output,
)
from workbench.model.backends._http import request_body

__all__ = ["BatchBackend", "BatchFailed", "BatchItemError", "Endpoint", "request_key"]

TERMINAL = ("completed", "failed", "expired", "cancelled")
SETTLE_TICKS = 3
"""Event-loop turns without a new request (and nothing ready to run) before a batch is sent."""
SETTLE_S = 0.05
"""Where the loop cannot be asked whether anything is ready: seconds without a new request."""
MAX_TICKS = 200
"""Turns without a new request after which a batch is sent even if something keeps polling."""
"""Turns without a new request after which a batch is sent even if something keeps polling."""
"""Where the loop cannot be asked whether anything is ready: seconds without a new request."""
MAX_LINES = 50_000
"""Requests per batch job (OpenAI's limit); more waiting for one model go in several jobs."""
MAX_BYTES = 190 * 1024 * 1024
"""Input file size per batch job (OpenAI's limit is 200 MB)."""
RETRIEVE_FAILURES = 8
"""Consecutive failed status checks of one batch before its calls fail (retried later)."""


class BatchFailed(Exception):
    """A request two batches in a row left unanswered (failed, expired or cancelled): not
    sent a third time."""

    def __init__(self, message: str, batch_id: str):
        super().__init__(message)
        self.batch_id = batch_id


class Transport(Protocol):
    """The provider's Files and Batches calls (LiteLLM's, `LiteLLMBatches`)."""

    async def upload(self, endpoint: Endpoint, data: bytes) -> str: ...
    async def create(self, endpoint: Endpoint, file_id: str) -> dict[str, Any]: ...
    async def retrieve(self, endpoint: Endpoint, batch_id: str) -> dict[str, Any]: ...
    async def content(self, endpoint: Endpoint, file_id: str) -> bytes: ...


class Journal(Protocol):
    """Where batches are written down (RUN_DIR/batches.jsonl)."""

    def write(self, entry: dict[str, Any]) -> None: ...


@dataclass
class _Waiting:
    request: dict[str, Any]
    key: str
    future: asyncio.Future
    resent: bool = False


def request_key(request: dict[str, Any]) -> str:
    """What identifies a request across restarts: its JSON body (no key, no transport). Pure."""
    body = request_body(request)
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class BatchBackend:
    """A `Backend` that answers calls from batch jobs (see the module docstring)."""

    batched = True
    """Read by the model client: no concurrency cap or rate limit applies to held requests."""

    def __init__(
        self,
        endpoint_for: Callable[[dict[str, Any]], Endpoint],
        journal: Journal,
        transport: Transport | None = None,
        poll: Callable[[Endpoint], tuple[float, float]] = lambda endpoint: (10.0, 300.0),
        notify: Callable[[str], None] = lambda message: None,
        adopt: list[dict[str, Any]] | None = None,
    ):
        self.endpoint_for = endpoint_for
        self.journal = journal
        self.transport = transport or LiteLLMBatches()
        self.poll = poll
        """(first wait between status checks, longest wait) for a batch at an endpoint."""
        self.notify = notify
        self.waiting: list[_Waiting] = []
        self._arrived: asyncio.Event | None = None
        self._flusher: asyncio.Task | None = None
        self._jobs: set[asyncio.Task] = set()
        self._used: list[dict[str, Any]] = []
        # Batches a previous process submitted and did not use: request key -> (entry, custom_id).
        self._adoptable: dict[str, list[tuple[dict[str, Any], str]]] = {}
        self._adopted: dict[str, asyncio.Task] = {}
        for entry in adopt or []:
            for custom_id, key in entry.get("requests", {}).items():
                self._adoptable.setdefault(key, []).append((entry, custom_id))
        self.sent = 0
        """Batches this backend submitted."""

    async def __call__(self, **request: Any) -> Reply:
        key = request_key(request)
        if self._adoptable.get(key):
            reply = await self._from_adopted(key, request)
            if reply is not None:
                return reply
        return await self._enqueue(request, key)

    async def _enqueue(self, request: dict[str, Any], key: str) -> Reply:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(request, key, loop.create_future())
        self.waiting.append(waiting)
        self._wake()
        return await waiting.future

    def _wake(self) -> None:
        if self._arrived is None:
            self._arrived = asyncio.Event()
        self._arrived.set()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_forever())

    async def _flush_forever(self) -> None:
        while True:
            assert self._arrived is not None
            await self._arrived.wait()
            await self._settle()
            self._arrived.clear()
            self._write_used()
            taken, self.waiting = self.waiting, []
            groups: dict[Endpoint, list[_Waiting]] = {}
            for waiting in taken:
                if waiting.future.done():  # its caller was cancelled
                    continue
                groups.setdefault(self.endpoint_for(waiting.request), []).append(waiting)
            for endpoint, items in groups.items():
                for chunk in _chunks(items):
                    job = asyncio.get_running_loop().create_task(self._run_batch(endpoint, chunk))
                    self._jobs.add(job)
                    job.add_done_callback(self._jobs.discard)

    async def _settle(self) -> None:
        """Until no more requests can arrive: the count of waiting requests holds still for a
        few turns of the loop with nothing else ready to run (or, where something keeps
        polling, for MAX_TICKS turns; where the loop's run queue cannot be read, SETTLE_S)."""
        loop = asyncio.get_running_loop()
        ready = getattr(loop, "_ready", None)  # CPython's run queue
        stable, count = 0, len(self.waiting)
        while True:
            await asyncio.sleep(0 if ready is not None or stable < SETTLE_TICKS else SETTLE_S)
            if len(self.waiting) != count:
                stable, count = 0, len(self.waiting)
                continue
            stable += 1
            if stable >= MAX_TICKS or (stable >= SETTLE_TICKS and ready is not None and not ready):
                return
            if ready is None and stable > SETTLE_TICKS:
                return

    async def _run_batch(self, endpoint: Endpoint, items: list[_Waiting]) -> None:
        ids = {f"req-{i:05d}": item for i, item in enumerate(items)}
        data = "".join(
            json.dumps(
                {
                    "custom_id": custom_id,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": request_body(item.request),
                }
            )
            + "\n"
            for custom_id, item in ids.items()
        ).encode()
        try:
            file_id = await self.transport.upload(endpoint, data)
            batch = await self.transport.create(endpoint, file_id)
        except Exception as exc:  # the call's own failure: retried by the retry policy
            for item in items:
                _fail(item.future, exc)
            return
        self.sent += 1
        entry = {
            "event": "submitted",
            "ts": round(time.time(), 3),
            "batch_id": batch["id"],
            "provider": endpoint.provider,
            "model": endpoint.model,
            "api_base": endpoint.api_base,
            "input_file_id": file_id,
            "requests": {custom_id: item.key for custom_id, item in ids.items()},
        }
        self.journal.write(entry)
        try:
            status, results, detail = await self._follow(endpoint, batch)
        except Exception as exc:
            for item in items:
                _fail(item.future, exc)
            return
        self._resolve(endpoint, batch["id"], status, detail, ids, results)

    async def _follow(
        self, endpoint: Endpoint, batch: dict[str, Any]
    ) -> tuple[str, dict[str, Reply | Exception], str]:
        """Poll a batch with backoff until it ends; its results by custom_id."""
        batch_id, delay, failures = batch["id"], 0.0, 0
        first, longest = self.poll(endpoint)
        while batch.get("status") not in TERMINAL:
            await asyncio.sleep(delay)
            delay = min(longest, max(first, delay * 2))
            try:
                batch = await self.transport.retrieve(endpoint, batch_id)
                failures = 0
            except Exception as exc:
                if getattr(exc, "status_code", None) == 404:
                    raise
                failures += 1
                if failures >= RETRIEVE_FAILURES:
                    raise
        results: dict[str, Reply | Exception] = {}
        for file_key in ("output_file_id", "error_file_id"):
            file_id = batch.get(file_key)
            if file_id:
                data = await self.transport.content(endpoint, file_id)
                results.update(parse_output(data, batch_id))
        return str(batch["status"]), results, _errors(batch)

    def _resolve(
        self,
        endpoint: Endpoint,
        batch_id: str,
        status: str,
        detail: str,
        ids: dict[str, _Waiting],
        results: dict[str, Reply | Exception],
    ) -> None:
        again: list[_Waiting] = []
        lost = 0
        for custom_id, item in ids.items():
            result = results.get(custom_id)
            if isinstance(result, Reply):
                _answer(item.future, result)
            elif isinstance(result, Exception) and not _unanswered(result):
                _fail(item.future, result)
            elif not item.resent:
                item.resent = True
                again.append(item)
            else:
                lost += 1
                _fail(
                    item.future,
                    BatchFailed(
                        f"batch {batch_id} {status}: the request was left unanswered twice",
                        batch_id,
                    ),
                )
        if status != "completed" or again or lost:
            used = sum(isinstance(r, Reply) for r in results.values())
            parts = [f"{used} answered"]
            if again:
                parts.append(f"{len(again)} sent again in a new batch")
            if lost:
                parts.append(f"{lost} left unanswered twice end as errors")
            why = f" ({detail})" if detail else ""
            self.notify(
                f"batch {batch_id} ({endpoint.model}, {len(ids)} requests) {status}{why}: "
                + ", ".join(parts)
            )
        self._used.append(
            {"event": "used", "ts": round(time.time(), 3), "batch_id": batch_id, "status": status}
        )
        if again:
            self.waiting.extend(again)
            self._wake()

    async def _from_adopted(self, key: str, request: dict[str, Any]) -> Reply | None:
        """The reply an earlier process's batch holds for this request (None: it has none)."""
        entry, custom_id = self._adoptable[key].pop(0)
        batch_id = entry["batch_id"]
        if batch_id not in self._adopted:
            job = self._poll_adopted(entry, self.endpoint_for(request))
            self._adopted[batch_id] = asyncio.get_running_loop().create_task(job)
        results = await asyncio.shield(self._adopted[batch_id])
        result = results.get(custom_id)
        if isinstance(result, Reply):
            return result
        if isinstance(result, Exception) and not _unanswered(result):
            raise result
        return None

    async def _poll_adopted(
        self, entry: dict[str, Any], endpoint: Endpoint
    ) -> dict[str, Reply | Exception]:
        batch_id = entry["batch_id"]
        try:
            status, results, detail = await self._follow(endpoint, {"id": batch_id})
        except Exception as exc:
            self.notify(
                f"batch {batch_id} from before the restart could not be read "
                f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]}): its requests are sent again"
            )
            return {}
        used = sum(isinstance(r, Reply) for r in results.values())
        self.notify(
            f"batch {batch_id} from before the restart {status}: {used} of "
            f"{len(entry.get('requests', {}))} replies used, not paid again"
            + (f" ({detail})" if detail and status != "completed" else "")
        )
        self._used.append(
            {"event": "used", "ts": round(time.time(), 3), "batch_id": batch_id, "status": status}
        )
        return results

    def _write_used(self) -> None:
        """Batches whose replies were handed out are written `used` once the loop has moved
        on (the replies are in calls.jsonl and the cache by then): a restart re-polls only
        the batches whose replies might not have been."""
        used, self._used = self._used, []
        for entry in used:
            self.journal.write(entry)

    async def aclose(self) -> None:
        """Stop waiting (batches already submitted go on at the provider and are re-polled
        by a resumed run); write down the batches whose replies were used."""
        for task in [self._flusher, *self._jobs, *self._adopted.values()]:
            if task is not None and not task.done():
                task.cancel()
        self._write_used()


def _chunks(items: list[_Waiting]) -> list[list[_Waiting]]:
    """Items in pieces of at most MAX_LINES requests and about MAX_BYTES of JSON each."""
    chunks: list[list[_Waiting]] = [[]]
    size = 0
    for item in items:
        weight = len(json.dumps(request_body(item.request))) + 120
        if chunks[-1] and (len(chunks[-1]) >= MAX_LINES or size + weight > MAX_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += weight
    return chunks


def _unanswered(error: Exception) -> bool:
    """A line the batch never ran (expired, cancelled): sent again, not retried as a failure."""
    text = str(error)
    return "batch_expired" in text or "batch_cancelled" in text


def _errors(batch: dict[str, Any]) -> str:
    errors = batch.get("errors")
    data = errors.get("data") if isinstance(errors, dict) else None
    if not data:
        return ""
    first = data[0] if isinstance(data[0], dict) else {}
    return " ".join(str(first.get("message") or first.get("code") or "").split())[:200]


def _answer(future: asyncio.Future, reply: Reply) -> None:
    if not future.done():
        future.set_result(reply)


def _fail(future: asyncio.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
