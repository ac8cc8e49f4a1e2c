"""The simulator behind an OpenAI-compatible HTTP API (`workbench serve --model sim`).

POST /v1/chat/completions answers exactly what the in-process `sim/` provider
answers for the same request, so benchmarks and fault tests exercise LiteLLM's
real HTTP path. `latency_s` adds a fixed delay per request (for benchmarks).
The OpenAI Batch API (files and batches, `_batches.py`) answers each line the same way:
the batch engine runs the simulator through it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from aiohttp import web

from workbench.providers.sim._batches import BatchAPI
from workbench.providers.sim._respond import ROLES, check_model, respond

_COUNTER = itertools.count(1)


def answer_chat(body: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, response body) for a /v1/chat/completions request body."""
    if not isinstance(body, dict):
        return _error_body(400, "request body must be a JSON object")
    model = str(body.get("model", ""))
    try:
        check_model(model)
    except ValueError as exc:
        return _error_body(404, str(exc), "model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _error_body(400, "messages must be a non-empty list")
    reply = respond(model, messages, body.get("seed"), body.get("max_tokens"))
    return 200, chat_completion(reply, model, f"chatcmpl-sim-{next(_COUNTER)}")


def make_app(latency_s: float = 0.0, batches: BatchAPI | None = None) -> web.Application:
    app = web.Application(client_max_size=256 * 1024 * 1024)
    app["stats"] = {"requests": 0, "authorized": 0}
    batches = batches or BatchAPI(answer_chat)
    batches.routes(app)

    async def chat(request: web.Request) -> web.Response:
        app["stats"]["requests"] += 1
        if request.headers.get("Authorization", "").startswith("Bearer "):
            app["stats"]["authorized"] += 1
        try:
            body: dict[str, Any] = await request.json()
        except ValueError:
            return _error(400, "request body is not JSON")
        if latency_s:
            await asyncio.sleep(latency_s)
        status, data = answer_chat(body)
        return web.json_response(data, status=status)

    async def models(_: web.Request) -> web.Response:
        data = [{"id": name, "object": "model", "owned_by": "workbench-sim"} for name in ROLES]
        return web.json_response({"object": "list", "data": data})

    async def stats(_: web.Request) -> web.Response:
        return web.json_response({**app["stats"], "batch": batches.counts})

    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/stats", stats)
    return app


def chat_completion(reply, model: str, completion_id: str) -> dict:
    """An OpenAI Chat Completions response body for a simulator reply."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def _error_body(
    status: int, message: str, code: str = "invalid_request_error"
) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"message": message, "type": code, "code": status}}


def _error(status: int, message: str, code: str = "invalid_request_error") -> web.Response:
    status, body = _error_body(status, message, code)
    return web.json_response(body, status=status)


def serve(port: int, host: str = "127.0.0.1", latency_s: float = 0.0) -> None:
    """Serve until interrupted."""
    web.run_app(make_app(latency_s), host=host, port=port, print=None, access_log=None)
