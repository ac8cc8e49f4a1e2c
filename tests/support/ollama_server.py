"""A test server speaking Ollama's native chat API (`POST /api/chat`) on 127.0.0.1, faithful
to what LiteLLM's `ollama_chat/` code sends and reads: `format` is "json" or a JSON schema,
sampling options under `options` (`num_predict` is the cap), usage as `prompt_eval_count` /
`eval_count`. Only `stream: false` is answered (what LiteLLM sends for a plain call)."""

from __future__ import annotations

import time

from aiohttp import web

from tests.support.wire_server import WireServer

OPTIONS = {
    "temperature", "num_predict", "seed", "top_p", "top_k", "stop", "num_ctx", "repeat_penalty",
    "presence_penalty", "frequency_penalty", "min_p", "mirostat", "num_keep",
}  # fmt: skip


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class OllamaServer(WireServer):
    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/chat", self._chat)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await self.body(request)
        if body is None:
            return error(400, "invalid request body")
        model = str(body.get("model", ""))
        if self.role(model) is None:
            return error(404, f'model "{model}" not found, try pulling it first')
        if body.get("stream", True) is not False:
            return error(400, "this test server answers stream=false only")
        fmt = body.get("format")
        if fmt not in (None, "", "json") and not (isinstance(fmt, dict) and "type" in fmt):
            return error(400, 'invalid format: expected "json" or a JSON schema')
        options = body.get("options") or {}
        unknown = sorted(set(options) - OPTIONS)
        if unknown:
            return error(400, f"invalid option provided: {unknown[0]}")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return error(400, "messages are required")
        history = [{"role": m.get("role"), "content": m.get("content", "")} for m in messages]
        reply = self.answer(model, history, options.get("seed"), options.get("num_predict"))
        return web.json_response(
            {
                "model": model,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "message": {"role": "assistant", "content": reply.text},
                "done": True,
                "done_reason": "length" if reply.finish_reason == "length" else "stop",
                "total_duration": 1_000_000,
                "load_duration": 100_000,
                "prompt_eval_count": reply.prompt_tokens,
                "prompt_eval_duration": 200_000,
                "eval_count": reply.completion_tokens,
                "eval_duration": 700_000,
            }
        )
