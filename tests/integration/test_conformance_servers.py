"""The conformance test servers refuse what the real providers refuse (so the conformance
rounds would fail if the workbench sent it): raw HTTP, no LiteLLM."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.support.anthropic_server import AnthropicServer
from tests.support.gemini_server import GeminiServer
from tests.support.ollama_server import OllamaServer
from tests.support.reasoning_server import ReasoningServer
from tests.support.vllm_server import VllmServer

SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
USER = [{"role": "user", "content": "Say hi."}]


def post(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


@pytest.fixture
def server(request):
    s = request.param()
    yield s
    s.stop()


@pytest.mark.parametrize("server", [GeminiServer], indirect=True)
def test_gemini_refuses_additional_properties_in_response_schema(server):
    url = f"{server.api_base}/models/weak:generateContent?key={server.key}"
    body = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "generationConfig": {"responseMimeType": "application/json", "responseSchema": SCHEMA},
    }
    status, answer = post(url, body)
    assert status == 400 and answer["error"]["status"] == "INVALID_ARGUMENT"
    assert '"additionalProperties"' in answer["error"]["message"]
    # The same schema as responseJsonSchema (JSON Schema) is taken; so is a Gemini-subset one.
    del body["generationConfig"]["responseSchema"]
    body["generationConfig"]["response_json_schema"] = SCHEMA
    assert post(url, body)[0] == 200
    subset = {k: v for k, v in SCHEMA.items() if k != "additionalProperties"}
    body["generationConfig"] = {"response_mime_type": "application/json", "response_schema": subset}
    status, answer = post(url, body)
    assert status == 200 and answer["usageMetadata"]["promptTokenCount"] > 0
    assert post(url.replace(server.key, "wrong"), body)[0] == 400
    assert post(url.replace("weak", "nope"), body)[0] == 404


@pytest.mark.parametrize("server", [AnthropicServer], indirect=True)
def test_anthropic_refuses_what_the_messages_api_refuses(server):
    url = f"{server.api_base}/v1/messages"
    headers = {"x-api-key": server.key, "anthropic-version": "2023-06-01"}
    tool = {"name": "json_tool_call", "input_schema": SCHEMA}
    forced = {"type": "tool", "name": "json_tool_call"}
    ok = {
        "model": "judge",
        "max_tokens": 64,
        "messages": USER,
        "tools": [tool],
        "tool_choice": forced,
    }
    status, answer = post(url, ok, headers)
    assert status == 200 and answer["usage"]["input_tokens"] > 0
    assert post(url, ok, {"x-api-key": "wrong", "anthropic-version": "2023-06-01"})[0] == 401
    refused = [
        {k: v for k, v in ok.items() if k != "max_tokens"},
        {**ok, "thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 4096},
        {
            **ok,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "x", "cache_control": {"type": "forever"}}
                    ],
                }
            ],
        },
        {**ok, "tool_choice": {"type": "tool", "name": "other"}},
        {**ok, "output_format": {"type": "json_schema", "schema": SCHEMA}},  # no beta header
    ]
    for body in refused:
        status, answer = post(url, body, headers)
        assert status == 400 and answer["error"]["type"] == "invalid_request_error", body
    # With thinking, the one tool offered unforced is what the model answers through.
    thinking = {"type": "enabled", "budget_tokens": 1024}
    unforced = {**ok, "max_tokens": 2048, "thinking": thinking}
    del unforced["tool_choice"]
    status, answer = post(url, unforced, headers)
    assert status == 200 and [b["type"] for b in answer["content"]] == ["thinking", "tool_use"]
    # A cache_control prefix is written once, then read.
    cached = {
        **ok,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "long " * 50, "cache_control": {"type": "ephemeral"}}
                ],
            }
        ],
    }
    first, second = post(url, cached, headers)[1], post(url, cached, headers)[1]
    assert (
        first["usage"]["cache_creation_input_tokens"]
        > 0
        == first["usage"]["cache_read_input_tokens"]
    )
    assert (
        second["usage"]["cache_read_input_tokens"] == first["usage"]["cache_creation_input_tokens"]
    )


@pytest.mark.parametrize("server", [OllamaServer], indirect=True)
def test_ollama_takes_a_schema_as_format(server):
    url = f"{server.api_base}/api/chat"
    body = {"model": "weak", "messages": USER, "stream": False, "format": SCHEMA}
    status, answer = post(url, body)
    assert status == 200 and answer["done"] and answer["eval_count"] > 0
    assert post(url, {**body, "format": "yaml"})[0] == 400
    assert post(url, {**body, "stream": True})[0] == 400
    assert post(url, {**body, "model": "nope"})[0] == 404


@pytest.mark.parametrize("server", [VllmServer], indirect=True)
def test_vllm_style_takes_guided_json_only(server):
    url = f"{server.api_base}/chat/completions"
    body = {"model": "weak", "messages": USER}
    fmt = {"type": "json_schema", "json_schema": {"name": "o", "schema": SCHEMA}}
    status, answer = post(url, {**body, "response_format": fmt})
    assert status == 400 and "guided_json" in answer["message"]
    assert (
        post(url, {**body, "response_format": {"type": "json_object", "schema": SCHEMA}})[0] == 400
    )
    assert post(url, {**body, "guided_json": SCHEMA})[0] == 200
    assert post(url, {**body, "guided_json": 3})[0] == 400


@pytest.mark.parametrize("server", [ReasoningServer], indirect=True)
def test_reasoning_server_refuses_temperature_and_max_tokens(server):
    url = f"{server.api_base}/chat/completions"
    body = {"model": "weak", "messages": USER}
    status, answer = post(url, {**body, "temperature": 0.2})
    assert status == 400 and answer["error"]["param"] == "temperature"
    status, answer = post(url, {**body, "max_tokens": 100})
    assert status == 400 and "max_completion_tokens" in answer["error"]["message"]
    status, answer = post(url, {**body, "max_completion_tokens": 100, "temperature": 1})
    usage = answer["usage"]
    assert status == 200 and usage["completion_tokens_details"]["reasoning_tokens"] == 40
    assert usage["completion_tokens"] > 40
    # Thinking comes out of the cap: too small a cap leaves no answer.
    status, answer = post(url, {**body, "max_completion_tokens": 16})
    assert answer["choices"][0]["message"]["content"] == ""
    assert answer["choices"][0]["finish_reason"] == "length"
