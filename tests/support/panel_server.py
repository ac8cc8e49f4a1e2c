"""Judges for panel tests on one 127.0.0.1 server: `judge-b` answers as the simulator's judge
(an honest second member under its own name), `lenient` marks every criterion met whatever
the answer (an adversarial member)."""

from __future__ import annotations

import json

from aiohttp import web

from tests.support.chat_server import ChatServer
from workbench.providers.sim._respond import respond
from workbench.providers.sim._server import chat_completion

HONEST, LENIENT = "judge-b", "lenient"


def _criteria(body: dict) -> int:
    """How many criteria the judge call asks for (from its JSON schema; 1 per criterion)."""
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or fmt.get("schema") or {}
    grades = (schema.get("properties") or {}).get("grades")
    if grades is None:
        return 0  # a per-criterion call: {"met", "reason"}
    return int(grades.get("maxItems") or 10)


def all_met(body: dict) -> str:
    n = _criteria(body)
    if n == 0:
        return json.dumps({"met": True, "reason": "looks fine"})
    grades = [{"criterion": i, "met": True, "reason": "looks fine"} for i in range(1, n + 1)]
    return json.dumps({"grades": grades})


class PanelServer(ChatServer):
    """An honest (`judge-b`) and a lenient (`lenient`) judge behind one OpenAI-format API."""

    def __init__(self):
        super().__init__(lambda fmt: None)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        model = str(body.get("model", ""))
        if model == LENIENT:
            reply = respond("sim/judge", body["messages"], body.get("seed"), None)
            reply = reply.__class__(all_met(body), "stop", reply.prompt_tokens, 40)
        elif model == HONEST:
            reply = respond("sim/judge", body["messages"], body.get("seed"), body.get("max_tokens"))
        else:
            error = {"message": f"The model `{model}` does not exist", "code": "model_not_found"}
            return web.json_response({"error": error}, status=404)
        return web.json_response(chat_completion(reply, model, f"chatcmpl-{len(self.requests)}"))
