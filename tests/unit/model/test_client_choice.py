"""Which client carries a model's calls (`client = auto`): a pure function of the spec and
what the preflight probe found; explicit clients used as given."""

from dataclasses import dataclass

import pytest

from workbench.config import ModelSpec
from workbench.model import choose_client, first_try, format_table, worth_litellm
from workbench.model.backends import HTTPStatusError, MalformedResponse
from workbench.model.guards import classify

BASE = "http://127.0.0.1:8000/v1"


@dataclass
class Found:
    ok: bool
    client: str | None


CONFIRMED = Found(True, "http")
OVER_LITELLM = Found(True, "litellm")  # the lean path was refused, LiteLLM got an answer
FAILED = Found(False, "http")


def spec(model="openai/qwen", api_base=BASE, **kw):
    return ModelSpec(model=model, api_base=api_base, **kw)


def test_auto_is_the_default():
    assert ModelSpec(model="openai/gpt-4o-mini").client == "auto"


@pytest.mark.parametrize(
    "probed, chosen",
    [(CONFIRMED, "http"), (OVER_LITELLM, "litellm"), (FAILED, "litellm"), (None, "http")],
)
def test_an_openai_endpoint_takes_the_lean_path_once_the_probe_confirms_it(probed, chosen):
    assert choose_client(spec(), probed) == chosen


@pytest.mark.parametrize(
    "model, api_base",
    [
        ("openai/gpt-4o-mini", None),  # hosted OpenAI, reached by LiteLLM's defaults
        ("anthropic/claude-3-5-haiku-latest", None),
        ("anthropic/claude-3-5-haiku-latest", BASE),  # not OpenAI's protocol at any address
        ("gemini/gemini-2.0-flash", None),
        ("ollama/llama3", "http://127.0.0.1:11434"),  # Ollama's own /api/chat
        ("hosted_vllm/qwen", BASE),
        ("sim/weak", None),
    ],
)
def test_everything_else_goes_through_litellm(model, api_base):
    for probed in (None, CONFIRMED):
        assert choose_client(spec(model, api_base), probed) == "litellm"


def test_an_extra_only_litellm_understands_keeps_litellm():
    assert choose_client(spec(extra={"num_retries": 2}), CONFIRMED) == "litellm"
    assert choose_client(spec(extra={"top_k": 20}), CONFIRMED) == "http"


def test_explicit_clients_are_used_as_given():
    assert choose_client(spec(client="litellm"), CONFIRMED) == "litellm"
    assert choose_client(spec(client="litellm"), None) == "litellm"
    assert choose_client(spec(client="http"), OVER_LITELLM) == "http"
    assert choose_client(spec(client="http"), None) == "http"
    assert first_try(spec(client="litellm")) == "litellm" and first_try(spec()) == "http"


def test_only_a_refusal_of_the_request_itself_is_tried_again_over_litellm():
    assert worth_litellm(classify(HTTPStatusError(400, {}, "Unsupported parameter: max_tokens")))
    assert worth_litellm(classify(HTTPStatusError(422, {}, "unprocessable")))
    assert worth_litellm(classify(MalformedResponse("not a chat completion")))
    for status in (401, 403, 404, 429, 500, 503):  # LiteLLM would meet the same answer
        assert not worth_litellm(classify(HTTPStatusError(status, {}, "no")))
    assert not worth_litellm(classify(TimeoutError()))
    assert not worth_litellm(None)


def test_the_probe_table_names_the_client():
    from workbench.model import ProbeResult

    rows = [
        ProbeResult("openai/a", BASE, ["weak"], ok=True, client="http", run_client="http"),
        ProbeResult("openai/b", BASE, ["judge"], ok=True, client="litellm", run_client="litellm"),
        ProbeResult("openai/c", BASE, ["strong"], ok=False, client="http", run_client="litellm"),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].split()[:4] == ["endpoint", "roles", "ok", "client"]
    assert [line.split()[5] for line in lines[1:]] == ["http", "litellm", "litellm"]
