"""The lean HTTP path: request bodies, reply parsing, failure classes, config checks.
(End to end over real HTTP, with faults: tests/test_serve.py and tests/test_reliability.py.)"""

import pytest

from workbench.config import ModelSpec
from workbench.model import build_request
from workbench.model.backends import HTTPStatusError, MalformedResponse, parse_reply, request_body
from workbench.model.guards import classify


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


def test_untrusted_usage_and_oversized_replies():
    from workbench.model import MAX_REPLY_CHARS, ReplyTooLarge

    def reply(usage, text="ok"):
        return parse_reply({"choices": [{"message": {"content": text}}], "usage": usage})

    for bad in ("lots", -1_000_000, float("nan"), True, None, [3]):
        got = reply({"prompt_tokens": bad, "completion_tokens": bad})
        assert (got.prompt_tokens, got.completion_tokens) == (None, None)
    assert reply("junk").prompt_tokens is None
    with pytest.raises(ReplyTooLarge):
        reply({}, "x" * (MAX_REPLY_CHARS + 1))
    assert classify(ReplyTooLarge("50 MB")).kind == "permanent"


def test_a_key_in_an_error_body_is_redacted_before_it_is_cut(monkeypatch):
    key = "custkey-" + "S3cr3t" * 5
    monkeypatch.setenv("WB_CUSTOM_API_KEY", key)
    for pad in range(255, 300, 7):
        error = HTTPStatusError(500, {}, "p" * pad + "Bearer " + key)
        assert key[:6] not in str(error).replace("custkey", ""), pad
        assert "custkey-S" not in str(error)


def test_missing_credentials_stop_the_run():
    exc = type("InternalServerError", (Exception,), {})(
        "litellm.InternalServerError: OpenAIException - Missing credentials. Please pass an `api_key`"
    )
    assert classify(exc).kind == "fatal"


def test_a_key_in_a_malformed_2xx_reply_is_redacted_before_it_is_cut(monkeypatch):
    key = "sk-rc-" + "SECRET0123" * 3
    monkeypatch.setenv("OPENAI_API_KEY", key)
    for pad in range(150, 200, 5):
        with pytest.raises(MalformedResponse) as info:
            parse_reply({"x": "p" * pad + "Bearer " + key})
        assert "sk-rc" not in str(info.value), pad


def test_absurd_token_counts_are_dropped():
    got = parse_reply(
        {"choices": [{"message": {"content": "ok"}}], "usage": {"prompt_tokens": 10**400}}
    )
    assert got.prompt_tokens is None


def test_extra_body_and_headers_go_where_the_openai_sdk_puts_them():
    from workbench.model.backends._http import request_headers

    spec = ModelSpec(
        model="openai/qwen",
        api_base="http://h/v1",
        extra={"extra_body": {"guided_json": {"type": "object"}}, "extra_headers": {"X-Team": "a"}},
    )
    request = {**build_request(spec, [{"role": "user", "content": "hi"}], None, 1), "api_key": "k"}
    body = request_body(request)
    assert body["guided_json"] == {"type": "object"}
    assert "extra_body" not in body and "extra_headers" not in body
    assert request_headers(request) == {
        "Content-Type": "application/json",
        "X-Team": "a",
        "Authorization": "Bearer k",
    }


def test_reasoning_tokens_are_read_as_openai_reports_them():
    usage = {
        "prompt_tokens": 5,
        "completion_tokens": 50,
        "completion_tokens_details": {"reasoning_tokens": 40},
    }
    got = parse_reply({"choices": [{"message": {"content": "ok"}}], "usage": usage})
    assert (got.completion_tokens, got.reasoning_tokens) == (50, 40)
    usage["completion_tokens_details"] = "junk"
    assert (
        parse_reply({"choices": [{"message": {"content": "ok"}}], "usage": usage}).reasoning_tokens
        is None
    )
