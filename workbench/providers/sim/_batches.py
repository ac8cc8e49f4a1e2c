"""The OpenAI Batch API over the simulator: Files (`POST /v1/files`, `GET /v1/files/{id}`,
`GET /v1/files/{id}/content`) and Batches (`POST /v1/batches`, `GET /v1/batches/{id}`).

What OpenAI does, in the order it does it: an uploaded JSONL file (purpose `batch`) is
checked when a batch is created from it (`validating`: every line a JSON object with a
unique `custom_id`, `method` POST, the batch's `url`, a `body`; one model per file); a bad
file ends the batch `failed` with `errors`. Otherwise the batch runs (`in_progress`,
`finalizing`) and ends `completed`, with an output file of the answered lines and an error
file of the refused ones, each line `{id, custom_id, response: {status_code, request_id,
body}, error}`. `fate()` and `gate()` let a test end a batch `failed` or `expired` (an
expired batch keeps the lines it answered; the rest are in the error file with code
`batch_expired`) or hold it in progress.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
"""A chat-completions body to (HTTP status, response body)."""

ENDPOINTS = ("/v1/chat/completions",)


class BatchAPI:
    """Files and Batches, in memory; `answer` serves each line as /v1/chat/completions would."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.counts = {"files": 0, "batches": 0, "lines": 0, "retrievals": 0, "downloads": 0}
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task] = set()

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/files", self.upload)
        app.router.add_get("/v1/files/{file_id}", self.file)
        app.router.add_get("/v1/files/{file_id}/content", self.content)
        app.router.add_post("/v1/batches", self.create)
        app.router.add_get("/v1/batches/{batch_id}", self.retrieve)

    def fate(self, batch: dict[str, Any]) -> str:
        """How a valid batch ends: `completed` (tests may say `failed` or `expired`)."""
        return "completed"

    async def gate(self, batch: dict[str, Any]) -> None:
        """Awaited while a batch is in progress, before it is answered (tests hold it here)."""

    def _id(self, prefix: str) -> str:
        return f"{prefix}{int(time.time())}{next(self._ids):06d}"

    async def upload(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            return error(400, "the request must be multipart/form-data with `file` and `purpose`")
        form = await request.post()
        purpose, upload = form.get("purpose"), form.get("file")
        if purpose not in ("batch", "fine-tune", "assistants", "user_data"):
            return error(400, f"'{purpose}' is not one of the supported purposes", "purpose")
        if upload is None or not hasattr(upload, "file"):
            return error(400, "'file' is a required property", "file")
        data = upload.file.read()
        file_id = self._id("file-")
        self.files[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": upload.filename or "upload.jsonl",
            "purpose": purpose,
            "status": "processed",
            "status_details": None,
        }
        self.contents[file_id] = data
        self.counts["files"] += 1
        return web.json_response(self.files[file_id])

    async def file(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["file_id"])
        if found is None:
            return error(404, f"No such File object: {request.match_info['file_id']}", "id")
        return web.json_response(found)

    async def content(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.contents:
            return error(404, f"No such File object: {file_id}", "id")
        self.counts["downloads"] += 1
        return web.Response(body=self.contents[file_id], content_type="application/octet-stream")

    async def create(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return error(400, "the request body is not JSON")
        if not isinstance(body, dict):
            return error(400, "the request body must be a JSON object")
        if body.get("endpoint") not in ENDPOINTS:
            return error(400, f"endpoint must be one of {list(ENDPOINTS)}", "endpoint")
        if body.get("completion_window") != "24h":
            return error(400, "completion_window must be '24h'", "completion_window")
        file_id = body.get("input_file_id")
        if file_id not in self.files:
            return error(404, f"No such File object: {file_id}", "input_file_id")
        if self.files[file_id]["purpose"] != "batch":
            return error(400, f"File {file_id} does not have purpose 'batch'", "input_file_id")
        now = int(time.time())
        batch = {
            "id": self._id("batch_"),
            "object": "batch",
            "endpoint": body["endpoint"],
            "errors": None,
            "input_file_id": file_id,
            "completion_window": "24h",
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": now,
            "in_progress_at": None,
            "expires_at": now + 86400,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": body.get("metadata") or {},
        }
        self.batches[batch["id"]] = batch
        self.counts["batches"] += 1
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.json_response(batch)

    async def retrieve(self, request: web.Request) -> web.Response:
        batch = self.batches.get(request.match_info["batch_id"])
        if batch is None:
            return error(404, f"No batch found with id '{request.match_info['batch_id']}'", "id")
        self.counts["retrievals"] += 1
        return web.json_response(batch)

    async def _run(self, batch: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        lines, problem = parse_input(self.contents[batch["input_file_id"]], batch["endpoint"])
        if problem is not None:
            batch.update(status="failed", failed_at=int(time.time()))
            batch["errors"] = {"object": "list", "data": [problem]}
            return
        batch.update(status="in_progress", in_progress_at=int(time.time()))
        batch["request_counts"]["total"] = len(lines)
        await self.gate(batch)
        fate = self.fate(batch)
        if fate == "failed":
            batch.update(status="failed", failed_at=int(time.time()))
            batch["errors"] = {
                "object": "list",
                "data": [{"code": "server_error", "message": "the batch failed", "line": None}],
            }
            return
        answered = len(lines) // 2 if fate == "expired" else len(lines)
        done, failed = [], []
        for index, line in enumerate(lines):
            self.counts["lines"] += 1
            entry = {"id": self._id("batch_req_"), "custom_id": line["custom_id"], "error": None}
            if index < answered:
                status, body = self.answer(line["body"])
                entry["response"] = {"status_code": status, "request_id": entry["id"], "body": body}
                (done if status < 400 else failed).append(entry)
            else:
                entry["response"] = None
                entry["error"] = {
                    "code": "batch_expired",
                    "message": "This request could not be executed before the completion window expired.",
                }
                failed.append(entry)
        batch.update(status="finalizing", finalizing_at=int(time.time()))
        batch["request_counts"].update(completed=len(done), failed=len(failed))
        batch["output_file_id"] = self._output(batch, done, "output") if done else None
        batch["error_file_id"] = self._output(batch, failed, "error") if failed else None
        end = "expired" if fate == "expired" else "completed"
        batch.update({"status": end, f"{end}_at": int(time.time())})

    def _output(self, batch: dict[str, Any], entries: list[dict], kind: str) -> str:
        data = "".join(json.dumps(e) + "\n" for e in entries).encode()
        file_id = self._id("file-")
        self.files[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": f"{batch['id']}_{kind}.jsonl",
            "purpose": "batch_output",
            "status": "processed",
            "status_details": None,
        }
        self.contents[file_id] = data
        return file_id


def parse_input(data: bytes, endpoint: str) -> tuple[list[dict[str, Any]], dict | None]:
    """The lines of a batch input file, or the first problem OpenAI's validation reports."""
    lines: list[dict[str, Any]] = []
    seen: set[str] = set()
    models: set[str] = set()
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            return [], _problem("invalid_json_line", f"line {number} is not valid JSON", number)
        if not isinstance(line, dict) or not isinstance(line.get("body"), dict):
            return [], _problem("invalid_request", f"line {number} has no `body` object", number)
        custom_id = line.get("custom_id")
        if not isinstance(custom_id, str) or not custom_id or custom_id in seen:
            why = "a duplicate" if custom_id in seen else "missing"
            return [], _problem(
                "duplicate_custom_id", f"custom_id on line {number} is {why}", number
            )
        if line.get("method") != "POST" or line.get("url") != endpoint:
            return [], _problem(
                "invalid_url", f"line {number}: method must be POST and url {endpoint}", number
            )
        seen.add(custom_id)
        models.add(str(line["body"].get("model")))
        lines.append(line)
    if not lines:
        return [], _problem("empty_file", "the input file has no requests", None)
    if len(models) > 1:
        return [], _problem(
            "mismatched_model", "all requests in a batch must use the same model", None
        )
    return lines, None


def _problem(code: str, message: str, line: int | None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": None, "line": line}


def error(status: int, message: str, param: str | None = None) -> web.Response:
    body = {"message": message, "type": "invalid_request_error", "param": param, "code": None}
    return web.json_response({"error": body}, status=status)
