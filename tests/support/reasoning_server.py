"""An OpenAI-compatible server on 127.0.0.1 that behaves as OpenAI's reasoning models (the
o-series) do: `temperature` other than the default and `max_tokens` are refused with
OpenAI's error bodies (`max_completion_tokens` is the cap), thinking comes before the answer
and out of the same cap, and usage reports it as
`completion_tokens_details.reasoning_tokens` (part of `completion_tokens`)."""

from __future__ import annotations

from aiohttp import web

from tests.support.chat_server import ChatServer
from workbench.providers.sim import check_model
from workbench.providers.sim._respond import respond
from workbench.providers.sim._server import chat_completion

THINKING = 40
"""Tokens spent reasoning on every request."""


def unsupported(message: str, param: str, code: str) -> web.Response:
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return web.json_response({"error": error}, status=400)


class ReasoningServer(ChatServer):
    def __init__(self):
        super().__init__(lambda fmt: None)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        model = str(body.get("model", ""))
        try:
            check_model(model)
        except ValueError:
            error = {"message": f"The model `{model}` does not exist", "code": "model_not_found"}
            return web.json_response({"error": error}, status=404)
        if body.get("temperature", 1) != 1:
            return unsupported(
                f"Unsupported value: 'temperature' does not support {body['temperature']} with "
                "this model. Only the default (1) value is supported.",
                "temperature",
                "unsupported_value",
            )
        if "max_tokens" in body:
            return unsupported(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                "'max_completion_tokens' instead.",
                "max_tokens",
                "unsupported_parameter",
            )
        cap = body.get("max_completion_tokens")
        room = None if cap is None else max(cap - THINKING, 0)
        reply = respond(f"sim/{model}", body["messages"], body.get("seed"), room)
        if room == 0:
            reply = type(reply)("", "length", reply.prompt_tokens, 0)
        answer = chat_completion(reply, model, f"chatcmpl-o-{len(self.requests)}")
        usage = answer["usage"]
        usage["completion_tokens"] += THINKING
        usage["total_tokens"] += THINKING
        usage["completion_tokens_details"] = {"reasoning_tokens": THINKING}
        return web.json_response(answer)
