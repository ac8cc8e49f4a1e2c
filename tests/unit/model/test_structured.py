"""Structured-output negotiation and which failures are not retried (scripted backend)."""

import json

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import ModelSpec, Retry
from workbench.errors import ProviderError, StopRun
from workbench.model import CallMeta, ModelClient
from workbench.model._structured import LADDER, StructuredModes, rejects_format
from workbench.model.guards import classify
from workbench.roles import JudgeOutput

GOOD = '{"grades": [{"criterion": 1, "met": true}]}'
META = CallMeta("judge", "doc-7", 1, 0, side="weak")
SPEC = ModelSpec(model="openai/x", api_base="http://127.0.0.1:9/v1")


class Rejected(Exception):
    """What LiteLLM raises for a 4xx: a status code and the server's message."""

    def __init__(self, status_code, message):
        super().__init__(message)
        self.status_code = status_code


def named(name, status, message):
    return type(name, (Exception,), {"status_code": status})(message)


LLAMA_400 = Rejected(
    400,
    "[{'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}]",
)


def client(fake, records, tmp_path=None, **kw):
    modes = StructuredModes(tmp_path / "structured_modes.json" if tmp_path else None)
    return ModelClient(backend=fake, on_call=records.append, modes=modes, **kw)


def kinds(fake):
    return [(h.get("response_format") or {"type": "none"}).get("type") for h in fake.history]


def test_the_ladder_steps_down_on_each_rejection_and_remembers_the_mode(tmp_path):
    reject = [Rejected(422, f"response_format {m} is not supported") for m in LADDER[:4]]
    fake = FakeBackend(*reject, GOOD, GOOD)
    records = []
    c = client(fake, records, tmp_path, retry=Retry(max_attempts=1))
    out = run_async(c.complete(SPEC, "Grade it.", META, schema=JudgeOutput))
    assert out.parsed.grades[0].met == 1.0
    assert kinds(fake) == ["json_schema", "json_object", "none", "json_object", "none"]
    assert "schema" in fake.history[1]["response_format"]
    # guided_json: vLLM's field at the top of the body (extra_body), the schema also in the prompt.
    assert fake.history[2]["extra_body"]["guided_json"] == JudgeOutput.model_json_schema()
    assert "JSON schema" in fake.history[2]["messages"][0]["content"]
    assert "JSON schema" in fake.history[4]["messages"][0]["content"]
    assert all("extra_body" not in h for i, h in enumerate(fake.history) if i != 2)
    # Each rejected request is a call line with its error, its mode and no tokens or cost.
    assert [r["structured_output"] for r in records] == list(LADDER)
    assert all(r["error"] and r["prompt_tokens"] is None for r in records[:4])
    assert records[4]["error"] is None
    # The second call goes straight to the working mode.
    run_async(c.complete(SPEC, "Again.", META, schema=JudgeOutput))
    assert kinds(fake)[-1] == "none" and len(fake.history) == 6
    # ... and so does a later run, from the file next to the call cache.
    saved = json.loads((tmp_path / "structured_modes.json").read_text())
    assert saved == {"openai/x|http://127.0.0.1:9/v1": "prompt"}
    later = FakeBackend(GOOD)
    run_async(client(later, [], tmp_path).complete(SPEC, "g", META, schema=JudgeOutput))
    assert kinds(later) == ["none"]


def test_llama_cpp_rejection_lands_on_json_object_with_a_schema():
    fake = FakeBackend(LLAMA_400, GOOD)
    records = []
    run_async(client(fake, records).complete(SPEC, "g", META, schema=JudgeOutput))
    assert fake.history[1]["response_format"]["type"] == "json_object"
    assert "schema" in fake.history[1]["response_format"]
    assert [r["structured_output"] for r in records] == ["json_schema", "json_object_schema"]


def test_an_explicit_structured_output_is_not_negotiated():
    spec = SPEC.model_copy(update={"structured_output": "json_schema"})
    fake = FakeBackend(LLAMA_400)
    with pytest.raises(ProviderError, match="Input should be"):
        run_async(client(fake, []).complete(spec, "g", META, schema=JudgeOutput))
    assert kinds(fake) == ["json_schema"]


def test_the_fallback_is_not_a_retry_attempt():
    # One attempt allowed: the rejection does not use it up, the next mode gets its own.
    fake = FakeBackend(LLAMA_400, GOOD)
    records = []
    c = client(fake, records, retry=Retry(max_attempts=1))
    run_async(c.complete(SPEC, "g", META, schema=JudgeOutput))
    assert [r["attempt"] for r in records] == [1, 1]
    assert c.breaker.record(True) is False  # the rejection did not count as a failure


def test_free_text_calls_have_no_mode():
    records = []
    run_async(client(FakeBackend("an answer"), records).complete(SPEC, "q", META))
    assert records[0]["structured_output"] is None


def test_a_bad_request_about_something_else_does_not_step_down():
    fake = FakeBackend(Rejected(400, "temperature must be at most 1"))
    with pytest.raises(ProviderError, match="temperature"):
        run_async(client(fake, []).complete(SPEC, "g", META, schema=JudgeOutput))
    assert len(fake.history) == 1, "a 400 is not retried"


@pytest.mark.parametrize(
    "exc, kind",
    [
        (named("NotFoundError", 404, "The model `nope` does not exist"), "fatal"),
        (named("AuthenticationError", 401, "bad key"), "fatal"),
        (named("PermissionDeniedError", 403, "no"), "fatal"),
        (named("UnsupportedParamsError", 400, "does not support parameters: ['seed']"), "fatal"),
        (named("NotFoundError", None, "model not found"), "fatal"),
        (named("BadRequestError", 400, "invalid request"), "permanent"),
        (named("BadRequestError", None, "invalid request"), "permanent"),
        (named("ContextWindowExceededError", 400, "too many tokens"), "permanent"),
        (named("APIError", 400, "This model's maximum context length is 8192 tokens"), "permanent"),
        (named("RateLimitError", 429, "slow down"), "retryable"),
        (named("APIConnectionError", None, "connection reset"), "retryable"),
        (named("InternalServerError", 500, "oops"), "retryable"),
    ],
)
def test_what_is_not_transient_is_not_retried(exc, kind):
    assert classify(exc).kind == kind


def test_format_rejections_are_told_from_other_failures():
    assert rejects_format(classify(LLAMA_400))
    assert rejects_format(classify(Rejected(500, "validation error: response_format.type")))
    assert not rejects_format(classify(Rejected(500, "json_schema backend crashed")))
    assert not rejects_format(classify(named("NotFoundError", 404, "json_schema model")))
    assert not rejects_format(classify(Rejected(400, "context length exceeded by the schema")))
    assert not rejects_format(classify(Rejected(400, "bad request")))


def test_unknown_model_stops_the_run_at_once_in_one_line():
    fake = FakeBackend(named("NotFoundError", 404, "The model `nope`\ndoes not exist"))
    c = client(fake, [], retry=Retry(max_attempts=6, base_s=0))
    with pytest.raises(StopRun) as info:
        run_async(c.complete(SPEC, "g", META, schema=JudgeOutput))
    assert info.value.status == "fatal_error" and len(fake.history) == 1
    assert (
        "\n" not in info.value.reason and "not found at http://127.0.0.1:9/v1" in info.value.reason
    )


def test_context_window_names_the_document():
    fake = FakeBackend(named("ContextWindowExceededError", 400, "prompt too long"))
    with pytest.raises(ProviderError, match="document doc-7 is too long for openai/x"):
        run_async(client(fake, []).complete(SPEC, "g", META, schema=JudgeOutput))
    assert len(fake.history) == 1


def test_a_damaged_memory_file_is_only_a_slower_start(tmp_path):
    path = tmp_path / "structured_modes.json"
    path.write_text("{not json")
    assert StructuredModes(path).start(SPEC) == "json_schema"
    path.write_text(json.dumps({"openai/x|http://127.0.0.1:9/v1": "bogus"}))
    assert StructuredModes(path).start(SPEC) == "json_schema"


def test_a_422_litellm_swallowed_still_reads_as_a_format_rejection():
    from workbench.model.backends._litellm import Unprocessable

    failure = classify(Unprocessable({"response_format": {"type": "json_schema"}}))
    assert failure.kind == "permanent" and rejects_format(failure)
    assert not rejects_format(classify(Unprocessable({})))
