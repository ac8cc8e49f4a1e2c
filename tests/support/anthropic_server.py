"""A test server speaking Anthropic's Messages API (`POST /v1/messages`) on 127.0.0.1.

Faithful to what LiteLLM's Anthropic code sends and reads: `x-api-key` and
`anthropic-version` headers, `max_tokens` required, alternating user/assistant turns,
structured output as a forced tool (`tools` + `tool_choice`, answered with a `tool_use`
block) or as the `output_format` beta, `cache_control` blocks (validated; a prefix seen
before is a cache read), extended `thinking` (a thinking block, counted in output_tokens),
and Anthropic's error bodies."""

from __future__ import annotations

import json

from aiohttp import web

from tests.support.wire_server import WireServer, json_object
from workbench.providers.sim._respond import tokens

VERSION = "2023-06-01"
MAX_CACHE_BLOCKS = 4
THOUGHT = "Let me weigh what the question asks and what the document says before answering. "


def error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response(
        {"type": "error", "error": {"type": kind, "message": message}}, status=status
    )


def text_of(content) -> str:
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content if isinstance(b, dict))


class AnthropicServer(WireServer):
    def __init__(self, aliases=None, key: str = "sk-ant-test"):
        self.cache: set[str] = set()
        self.usages: list[dict] = []
        """The usage of every reply (cache writes and reads as `cache_control` made them)."""
        super().__init__(aliases, key)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self._messages)

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("x-api-key") != self.key:
            return error(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return error(400, "invalid_request_error", "anthropic-version: header is required")
        body = await self.body(request)
        if body is None:
            return error(400, "invalid_request_error", "request body must be a JSON object")
        model = str(body.get("model", ""))
        if self.role(model) is None:
            return error(404, "not_found_error", f"model: {model}")
        problem = self._invalid(body, request.headers.get("anthropic-beta", ""))
        if problem:
            return error(400, "invalid_request_error", problem)
        messages = [{"role": m["role"], "content": text_of(m["content"])} for m in body["messages"]]
        thinking = (body.get("thinking") or {}).get("type") == "enabled"
        reply = self.answer(model, messages, None, body["max_tokens"])
        content: list[dict] = []
        if thinking:
            content.append({"type": "thinking", "thinking": THOUGHT, "signature": "c2lnbmF0dXJl"})
        tool = self._tool_to_call(body)
        value = json_object(reply.text) if tool else None
        if value is not None:
            content.append({"type": "tool_use", "id": "toolu_01", "name": tool, "input": value})
            stop = "tool_use"
        else:
            content.append({"type": "text", "text": reply.text})
            stop = "max_tokens" if reply.finish_reason == "length" else "end_turn"
        created, read = self._cache_use(body)
        usage = {
            "input_tokens": max(1, reply.prompt_tokens - created - read),
            "output_tokens": reply.completion_tokens + (tokens(THOUGHT) if thinking else 0),
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
        }
        self.usages.append(usage)
        return web.json_response(
            {
                "id": f"msg_{len(self.requests):04d}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": usage,
            }
        )

    @staticmethod
    def _tool_to_call(body: dict) -> str | None:
        """The tool the model calls: the forced one, else the only one offered (as a model
        told to answer through it does; LiteLLM offers it unforced when thinking is on)."""
        choice = body.get("tool_choice") or {"type": "auto"}
        tools = body.get("tools") or []
        if choice.get("type") == "tool":
            return choice.get("name")
        if choice.get("type") in ("auto", "any") and len(tools) == 1:
            return tools[0]["name"]
        return None

    def _invalid(self, body: dict, beta: str) -> str | None:
        """Why Anthropic would refuse this body (None: it would not)."""
        if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
            return "max_tokens: Field required"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or messages[0].get("role") != "user":
            return 'messages: first message must use the "user" role'
        for before, after in zip(messages, messages[1:], strict=False):
            if before.get("role") == after.get("role"):
                return 'messages: roles must alternate between "user" and "assistant"'
        blocks = [b for m in messages if isinstance(m.get("content"), list) for b in m["content"]]
        system = body.get("system")
        blocks += system if isinstance(system, list) else []
        marked = [
            b["cache_control"] for b in blocks if isinstance(b, dict) and "cache_control" in b
        ]
        if any(
            c.get("type") != "ephemeral" or c.get("ttl", "5m") not in ("5m", "1h") for c in marked
        ):
            return "cache_control: type must be 'ephemeral' (ttl '5m' or '1h')"
        if len(marked) > MAX_CACHE_BLOCKS:
            return f"A maximum of {MAX_CACHE_BLOCKS} blocks with cache_control may be provided."
        tools = body.get("tools") or []
        for tool in tools:
            schema = tool.get("input_schema")
            if (
                not tool.get("name")
                or not isinstance(schema, dict)
                or schema.get("type") != "object"
            ):
                return "tools: each tool needs a name and an input_schema of type 'object'"
        choice = body.get("tool_choice")
        if choice is not None:
            if choice.get("type") not in ("auto", "any", "tool", "none"):
                return "tool_choice.type: must be auto, any, tool or none"
            if choice.get("type") == "tool" and choice.get("name") not in {
                t["name"] for t in tools
            }:
                return f"tool_choice: no tool named {choice.get('name')!r}"
        if "output_format" in body and "structured-outputs" not in beta:
            return "output_format: Extra inputs are not permitted"
        thinking = body.get("thinking")
        if thinking is not None:
            budget = thinking.get("budget_tokens")
            if thinking.get("type") != "enabled" or not isinstance(budget, int) or budget < 1024:
                return "thinking.budget_tokens: must be at least 1024"
            if budget >= body["max_tokens"]:
                return "max_tokens must be greater than thinking.budget_tokens"
            if body.get("temperature", 1) != 1:
                return "temperature may only be set to 1 when thinking is enabled"
            if choice is not None and choice.get("type") in ("any", "tool"):
                return "Thinking may not be enabled when tool_choice forces tool use."
        return None

    def _cache_use(self, body: dict) -> tuple[int, int]:
        """(tokens written to the cache, tokens read from it): the prefix up to the last
        `cache_control` block is cached; seen before, it is read."""
        prefix: list = []
        cached = None
        for m in body["messages"]:
            content = m["content"] if isinstance(m["content"], list) else [m["content"]]
            for block in content:
                prefix.append(block)
                if isinstance(block, dict) and "cache_control" in block:
                    cached = list(prefix)
        if cached is None:
            return 0, 0
        key = json.dumps(cached, sort_keys=True)
        size = tokens(" ".join(text_of([b]) if isinstance(b, dict) else b for b in cached))
        if key in self.cache:
            return 0, size
        self.cache.add(key)
        return size, 0
