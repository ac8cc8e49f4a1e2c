"""A test server speaking OpenAI Chat Completions on 127.0.0.1 that answers as the simulator
would for the role its model is named after (`openai/challenger` -> `sim/challenger`), and can
refuse structured-output modes the way real servers do."""

from __future__ import annotations

import asyncio
import json
import os
import threading

from aiohttp import web

from tests.support import DOCS, free_port
from workbench.config._profiles import ROLES
from workbench.providers.sim import check_model
from workbench.providers.sim._respond import respond
from workbench.providers.sim._server import chat_completion

DOC = DOCS / "article-iii.txt"

LLAMA_CPP_400 = {
    "error": {
        "message": "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]",
        "type": "invalid_request_error",
        "code": 400,
    }
}


def llama_cpp(fmt: dict | None) -> tuple[int, dict] | None:
    """llama.cpp's server: json_object (with or without a schema), never json_schema."""
    if fmt and fmt.get("type") == "json_schema":
        return 400, LLAMA_CPP_400
    return None


def schema_free(fmt: dict | None) -> tuple[int, dict] | None:
    """A server that refuses every response_format, each with a different status and body."""
    if not fmt:
        return None
    if fmt.get("type") == "json_schema":
        return 422, {
            "detail": [{"loc": ["body", "response_format"], "msg": "json_schema not allowed"}]
        }
    if "schema" in fmt:
        return 400, {"error": {"message": "response_format.schema is not supported"}}
    return 500, {"error": {"message": "validation error: response_format json_object unsupported"}}


class ChatServer:
    """An OpenAI-compatible chat server in a thread; `policy(response_format)` may refuse.

    With `prompt_cache=(min_tokens, step)` it caches prompt prefixes as OpenAI does on its own:
    a prompt of at least `min_tokens` whose start was sent to the same model before reports
    that shared prefix, in whole `step`s of tokens, as `usage.prompt_tokens_details.
    cached_tokens` (OpenAI: 1024 and 128). `usages` holds every usage it answered with."""

    def __init__(self, policy, prompt_cache: tuple[int, int] | None = None):
        self.policy = policy
        self.prompt_cache = prompt_cache
        self.requests: list[dict] = []
        self.usages: list[dict] = []
        self._seen: dict[str, list[str]] = {}
        self.port = free_port()
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("test server did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        model = str(body.get("model", ""))
        try:
            check_model(model)
        except ValueError:
            error = {"message": f"The model `{model}` does not exist", "code": "model_not_found"}
            return web.json_response({"error": error}, status=404)
        refused = self.policy(body.get("response_format"))
        if refused is not None:
            status, payload = refused
            return web.json_response(payload, status=status)
        reply = respond(f"sim/{model}", body["messages"], body.get("seed"), body.get("max_tokens"))
        answer = chat_completion(reply, model, f"chatcmpl-{len(self.requests)}")
        if self.prompt_cache is not None:
            cached = self._cached_tokens(model, body["messages"], reply.prompt_tokens)
            answer["usage"]["prompt_tokens_details"] = {"cached_tokens": cached}
        self.usages.append(answer["usage"])
        return web.json_response(answer)

    def _cached_tokens(self, model: str, messages: list[dict], prompt_tokens: int) -> int:
        """The longest prefix this prompt shares with one sent to `model` before, in tokens
        (4 characters each, as the simulator counts), rounded down to whole steps."""
        min_tokens, step = self.prompt_cache
        text = json.dumps([[m.get("role"), m.get("content")] for m in messages])
        seen = self._seen.setdefault(model, [])
        shared = max((len(os.path.commonprefix([text, old])) for old in seen), default=0)
        seen.append(text)
        if prompt_tokens < min_tokens:
            return 0
        return min(prompt_tokens, shared // 4 // step * step)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def plain_config(api_base: str, **kw) -> dict:
    """`model` and `api_base` per role, nothing else."""
    models = {r: {"model": f"openai/{r}", "api_base": api_base} for r in ROLES}
    return {"models": models, "max_rounds": 2, "rollouts": 3, **kw}
