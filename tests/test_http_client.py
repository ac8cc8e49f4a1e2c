"""The lean HTTP path: request bodies, reply parsing, failure classes, config checks.
(End to end over real HTTP, with faults: tests/test_serve.py and tests/test_reliability.py.)"""

import pytest

from workbench.config import ModelSpec
from workbench.http_client import HTTPStatusError, MalformedResponse, parse_reply, request_body
from workbench.llm import build_request
from workbench.retry import classify


def test_body_is_the_openai_request_without_litellm_keywords():
    spec = ModelSpec(
        model="openai/qwen", api_base="http://h/v1", temperature=0.2, max_tokens=9, client="http"
    )
    request = build_request(spec, [{"role": "user", "content": "hi"}], {"type": "object"}, 7)
    body = request_body({**request, "api_key": "secret"})
    assert body["model"] == "qwen" and body["seed"] == 7 and body["max_tokens"] == 9
    assert body["response_format"]["type"] == "json_schema"
    assert not {"api_key", "api_base", "timeout", "drop_params", "max_retries"} & set(body)


def test_reply_parsing():
    reply = parse_reply(
        {
            "choices": [{"message": {"content": "ok"}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1},
        }
    )
    assert (reply.text, reply.finish_reason, reply.prompt_tokens, reply.completion_tokens) == (
        "ok",
        "length",
        3,
        1,
    )
    assert parse_reply({"choices": [{"message": {"content": None}}]}).text == ""
    for junk in ({}, {"choices": []}, [], "x", {"choices": [{"text": "legacy"}]}):
        with pytest.raises(MalformedResponse):
            parse_reply(junk)


def test_failures_classify_like_litellm_errors():
    limited = classify(HTTPStatusError(429, {"retry-after": "3"}, "slow down"))
    assert (limited.kind, limited.retry_after_s) == ("retryable", 3.0)
    assert classify(HTTPStatusError(503, {}, "")).kind == "retryable"
    assert classify(HTTPStatusError(401, {}, "bad key")).kind == "fatal"
    assert classify(HTTPStatusError(400, {}, "bad request")).kind == "permanent"
    assert classify(MalformedResponse("truncated")).kind == "retryable"
    assert classify(TimeoutError()).kind == "retryable"


@pytest.mark.parametrize(
    "spec", [{"model": "openai/x"}, {"model": "anthropic/claude", "api_base": "http://h/v1"}]
)
def test_http_client_needs_an_openai_endpoint(spec):
    with pytest.raises(ValueError, match="client 'http' needs an openai/ model with an api_base"):
        ModelSpec(**spec, client="http")
