"""A vLLM-style OpenAI-compatible server on 127.0.0.1 whose structured output is vLLM's own
`guided_json` (at the top of the body, where LiteLLM's `extra_body` puts it): every
`response_format` but `text` is refused with vLLM's error body, as a vLLM build without an
OpenAI-format guided-decoding front end does."""

from __future__ import annotations

from aiohttp import web

from tests.support.chat_server import ChatServer


def vllm_error(message: str, status: int = 400) -> web.Response:
    body = {"object": "error", "message": message, "type": "BadRequestError", "param": None}
    return web.json_response({**body, "code": status}, status=status)


def no_response_format(fmt: dict | None) -> tuple[int, dict] | None:
    if not fmt or fmt.get("type") == "text":
        return None
    message = (
        f"response_format type {fmt.get('type')!r} is not supported by this server; "
        "use guided_json, guided_regex or guided_choice"
    )
    return 400, {"object": "error", "message": message, "type": "BadRequestError", "code": 400}


class VllmServer(ChatServer):
    def __init__(self):
        super().__init__(no_response_format)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        guided = body.get("guided_json")
        if guided is not None and not (isinstance(guided, dict) and guided.get("type")):
            self.requests.append(body)
            return vllm_error("guided_json must be a JSON schema object")
        return await super()._chat(request)
