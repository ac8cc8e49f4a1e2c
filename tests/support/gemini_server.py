"""A test server speaking Gemini's `generateContent` (`POST /v1beta/models/{model}:generateContent`)
on 127.0.0.1, faithful to what LiteLLM's Gemini code sends and reads.

The key comes in `x-goog-api-key` or `?key=`. Field names are accepted in both spellings
(`responseSchema` / `response_schema`), as the API's JSON mapping does; an unknown
`generationConfig` field is refused. `responseSchema` takes Gemini's OpenAPI subset only
(no `additionalProperties`, `$ref`, `$defs`, ...: refused with Gemini's 400 body);
`responseJsonSchema` takes JSON Schema. Models named `*-2.5-*` think by default:
`usageMetadata.thoughtsTokenCount`, apart from `candidatesTokenCount`."""

from __future__ import annotations

import re

from aiohttp import web

from tests.support.wire_server import WireServer, schema_keys

RESPONSE_SCHEMA_KEYS = {
    "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems",
    "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
    "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum",
}  # fmt: skip
"""What Gemini's `Schema` message has: anything else is an unknown field (HTTP 400)."""
GENERATION_CONFIG = {
    "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences",
    "responseMimeType", "responseSchema", "responseJsonSchema", "seed", "presencePenalty",
    "frequencyPenalty", "responseLogprobs", "logprobs", "thinkingConfig", "responseModalities",
    "mediaResolution", "speechConfig",
}  # fmt: skip
THOUGHTS = 24
"""Tokens a thinking model spends before it answers."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def error(status: int, message: str, state: str) -> web.Response:
    return web.json_response(
        {"error": {"code": status, "message": message, "status": state}}, status=status
    )


class GeminiServer(WireServer):
    base_path = "/v1beta"

    def __init__(self, aliases=None, key: str = "gemini-test-key"):
        super().__init__(aliases, key)

    def routes(self, app: web.Application) -> None:
        app.router.add_post(r"/v1beta/models/{call:[^/]+}", self._generate)

    async def _generate(self, request: web.Request) -> web.Response:
        model, _, method = request.match_info["call"].partition(":")
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if key != self.key:
            return error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")
        if method != "generateContent":
            return error(404, f"Method {method!r} not found", "NOT_FOUND")
        body = await self.body(request)
        if body is None:
            return error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT")
        if self.role(model) is None:
            return error(
                404,
                f"models/{model} is not found for API version v1beta, or is not supported "
                "for generateContent.",
                "NOT_FOUND",
            )
        config = {
            camel(k): v
            for k, v in (
                body.get("generationConfig") or body.get("generation_config") or {}
            ).items()
        }
        problem = self._invalid(body, config)
        if problem:
            return error(400, problem, "INVALID_ARGUMENT")
        messages = [
            {
                "role": "assistant" if c.get("role") == "model" else "user",
                "content": " ".join(p.get("text", "") for p in c.get("parts", [])),
            }
            for c in body["contents"]
        ]
        reply = self.answer(model, messages, config.get("seed"), config.get("maxOutputTokens"))
        budget = (config.get("thinkingConfig") or {}).get("thinkingBudget")
        thoughts = THOUGHTS if re.search(r"-2\.5-", model) and budget != 0 else 0
        usage = {
            "promptTokenCount": reply.prompt_tokens,
            "candidatesTokenCount": reply.completion_tokens,
            "totalTokenCount": reply.prompt_tokens + reply.completion_tokens + thoughts,
        }
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        finish = "MAX_TOKENS" if reply.finish_reason == "length" else "STOP"
        candidate = {
            "content": {"parts": [{"text": reply.text}], "role": "model"},
            "finishReason": finish,
            "index": 0,
        }
        return web.json_response(
            {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model}
        )

    def _invalid(self, body: dict, config: dict) -> str | None:
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            return "* GenerateContentRequest.contents: contents is not specified"
        unknown = sorted(set(config) - GENERATION_CONFIG)
        if unknown:
            return (
                f'Invalid JSON payload received. Unknown name "{unknown[0]}" at '
                "'generation_config': Cannot find field."
            )
        schema, json_schema = config.get("responseSchema"), config.get("responseJsonSchema")
        if schema is not None and json_schema is not None:
            return "responseSchema and responseJsonSchema cannot both be set"
        if (schema or json_schema) and config.get("responseMimeType") != "application/json":
            return "response_mime_type must be application/json with a response schema"
        if schema is not None:
            bad = sorted(schema_keys(schema) - RESPONSE_SCHEMA_KEYS)
            if bad:
                return (
                    f'Invalid JSON payload received. Unknown name "{bad[0]}" at '
                    "'generation_config.response_schema': Cannot find field."
                )
        if json_schema is not None and not isinstance(json_schema, dict):
            return "generation_config.response_json_schema: must be a JSON object"
        return None
