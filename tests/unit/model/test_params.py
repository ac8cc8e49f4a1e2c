"""Reasoning-model parameters: which refusals are read as "adapt", how requests are adapted,
that the adaptation is remembered and is neither a retry nor charged; reasoning tokens."""

import json

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import ModelSpec, Retry
from workbench.model import CallMeta, ModelClient, Reply
from workbench.model._params import (
    MAX_COMPLETION_TOKENS,
    NO_TEMPERATURE,
    EndpointParams,
    adapt,
    describe,
    refused_params,
)
from workbench.model._pricing import cost_usd
from workbench.model._probe import probe_cap
from workbench.model._reply import checked_reply
from workbench.model._request import estimate_tokens, reask_request
from workbench.model._structured import StructuredModes
from workbench.model.guards import classify

SPEC = ModelSpec(
    model="openai/o-thing",
    api_base="http://127.0.0.1:9/v1",
    temperature=0.3,
    max_tokens=512,
    input_cost_per_token=1e-6,
    output_cost_per_token=4e-6,
)
META = CallMeta("weak", "doc-1", 1)


class Refused(Exception):
    status_code = 400


TEMPERATURE = Refused(
    "OpenAIException - Unsupported value: 'temperature' does not support 0.3 with this model. "
    "Only the default (1) value is supported."
)
MAX_TOKENS = Refused(
    "OpenAIException - Unsupported parameter: 'max_tokens' is not supported with this model. "
    "Use 'max_completion_tokens' instead."
)


def test_refusals_name_the_adaptation_only_when_it_changes_the_request():
    request = {"temperature": 0.3, "max_tokens": 10}
    assert refused_params(classify(TEMPERATURE), request) == [NO_TEMPERATURE]
    assert refused_params(classify(MAX_TOKENS), request) == [MAX_COMPLETION_TOKENS]
    assert refused_params(classify(MAX_TOKENS), {"max_completion_tokens": 10}) == []
    # Other bad requests about these words are not adaptations.
    assert refused_params(classify(Refused("temperature must be at most 1")), request) == []
    transient = type("Busy", (Exception,), {"status_code": 503})("max_tokens not supported")
    assert refused_params(classify(transient), request) == []


def test_adapt_is_pure_and_describe_is_one_note():
    request = {"temperature": 0.3, "max_tokens": 10, "model": "m"}
    both = [NO_TEMPERATURE, MAX_COMPLETION_TOKENS]
    assert adapt(request, both) == {"max_completion_tokens": 10, "model": "m"}
    assert request == {"temperature": 0.3, "max_tokens": 10, "model": "m"}
    assert adapt(request, []) is request
    assert describe(list(reversed(both))) == "no temperature, max_completion_tokens"


def test_the_client_adapts_at_once_remembers_and_charges_nothing(tmp_path):
    fake = FakeBackend(TEMPERATURE, MAX_TOKENS, Reply("an answer", "stop", 10, 50, 30), "again")
    records = []
    modes = StructuredModes(tmp_path / "structured_modes.json")
    client = ModelClient(
        backend=fake, on_call=records.append, modes=modes, retry=Retry(max_attempts=1)
    )
    out = run_async(client.complete(SPEC, "q", META))
    assert out.text == "an answer"
    assert [
        ("temperature" in h, "max_tokens" in h, h.get("max_completion_tokens"))
        for h in fake.history
    ] == [
        (True, True, None),
        (False, True, None),
        (False, False, 512),
    ]
    # Refusals are call lines with their error, no tokens, no cost; not retry attempts.
    assert [r["attempt"] for r in records] == [1, 1, 1]
    assert all(r["error"] and r["cost_usd"] is None for r in records[:2])
    assert records[2]["reasoning_tokens"] == 30
    assert records[2]["cost_usd"] == 10 * 1e-6 + 50 * 4e-6  # reasoning priced as completion
    # Remembered: the next call (and a later run) is adapted from the start.
    run_async(client.complete(SPEC, "q2", META))
    assert "temperature" not in fake.history[-1] and "max_completion_tokens" in fake.history[-1]
    saved = json.loads((tmp_path / "endpoint_params.json").read_text())
    assert saved == {f"{SPEC.model}|{SPEC.api_base}": [NO_TEMPERATURE, MAX_COMPLETION_TOKENS]}
    assert (
        EndpointParams(tmp_path / "endpoint_params.json").get(SPEC)
        == saved[f"{SPEC.model}|{SPEC.api_base}"]
    )


def test_a_re_ask_after_a_cut_off_raises_the_adapted_cap():
    request = {"messages": [{"role": "user", "content": "q"}], "max_completion_tokens": 100}
    again = reask_request(request, Reply("{", "length", 5, 100), "cut off")
    assert again["max_completion_tokens"] == 200 and "max_tokens" not in again
    assert estimate_tokens(again)[1] == 200


def test_reasoning_tokens_are_checked_and_priced():
    assert checked_reply("x", "stop", 10, 20, 50).reasoning_tokens == 20  # part of completion
    assert checked_reply("x", "stop", 10, 20, -1).reasoning_tokens is None
    assert checked_reply("x", "stop", 10, 20).reasoning_tokens is None
    assert cost_usd(SPEC, 10, 20, 15) == cost_usd(SPEC, 10, 20)


def test_the_probe_leaves_room_for_a_thinking_budget():
    assert probe_cap(ModelSpec(model="anthropic/x")) == 16
    assert probe_cap(ModelSpec(model="anthropic/x", max_tokens=8)) == 8
    thinking = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    assert probe_cap(ModelSpec(model="anthropic/x", extra=thinking)) == 1040
    assert probe_cap(ModelSpec(model="anthropic/x", extra=thinking, max_tokens=4096)) == 4096
    assert probe_cap(ModelSpec(model="o", extra={"reasoning_effort": "low"})) is None


def test_the_price_map_prices_reasoning_apart_when_it_says_so():
    # dashscope/qwen-turbo: 5e-8 per prompt token, 2e-7 per completion, 5e-7 per reasoning token.
    spec = ModelSpec(model="dashscope/qwen-turbo")
    assert cost_usd(spec, 100, 50, 20) == pytest.approx(100 * 5e-8 + 30 * 2e-7 + 20 * 5e-7)
    assert cost_usd(spec, 100, 50) == pytest.approx(100 * 5e-8 + 50 * 2e-7)
    # The config's own prices price reasoning as completion tokens.
    mine = spec.model_copy(update={"input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6})
    assert cost_usd(mine, 100, 50, 20) == pytest.approx(150e-6)
