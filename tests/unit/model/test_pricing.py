"""Cache- and batch-aware prices: LiteLLM's price map, a spec's own prices, and how cached
prompt tokens are read from each client's usage."""

from __future__ import annotations

import pytest

from workbench.config import ModelSpec
from workbench.model import cache_savings_usd, cost_usd, price_table
from workbench.model._reply import checked_reply
from workbench.model.backends._http import parse_reply
from workbench.model.backends._litellm import cache_tokens

GPT = ModelSpec(model="openai/gpt-4o-mini")
"""In LiteLLM's price map: input 1.5e-7, cached input 7.5e-8, output 6e-7, batch 7.5e-8/3e-7."""
CLAUDE = ModelSpec(model="anthropic/claude-sonnet-4-5")
"""In the price map: input 3e-6, cache read 3e-7, cache write 3.75e-6, output 1.5e-5, and
batch prices for each (1.5e-6, 1.5e-7, 1.875e-6, 7.5e-6)."""
OWN = ModelSpec(model="openai/mine", input_cost_per_token=2e-6, output_cost_per_token=8e-6)


def test_openai_cached_prompt_tokens_are_charged_at_the_cached_input_price():
    cost = cost_usd(GPT, 1000, 100, cached_prompt_tokens=600)
    assert cost == pytest.approx(400 * 1.5e-7 + 600 * 7.5e-8 + 100 * 6e-7)
    assert cost < cost_usd(GPT, 1000, 100)
    assert cache_savings_usd(GPT, 600) == pytest.approx(600 * (1.5e-7 - 7.5e-8))


def test_anthropic_cache_reads_are_cheap_and_cache_writes_dear():
    cost = cost_usd(CLAUDE, 1000, 50, cached_prompt_tokens=500, cache_creation_tokens=300)
    assert cost == pytest.approx(200 * 3e-6 + 500 * 3e-7 + 300 * 3.75e-6 + 50 * 1.5e-5)
    # A write costs 1.25x input: it gives back part of what the reads saved.
    saved = cache_savings_usd(CLAUDE, 500, 300)
    assert saved == pytest.approx(500 * (3e-6 - 3e-7) - 300 * (3.75e-6 - 3e-6))
    assert cost + saved == pytest.approx(cost_usd(CLAUDE, 1000, 50))


def test_batch_prices_come_from_the_price_maps_batch_keys():
    p = price_table(CLAUDE, batch=True)
    assert (p.input, p.output, p.cache_read, p.cache_creation) == pytest.approx(
        (1.5e-6, 7.5e-6, 1.5e-7, 1.875e-6)
    )
    cost = cost_usd(CLAUDE, 1000, 100, cached_prompt_tokens=400, batch=True)
    assert cost == pytest.approx(600 * 1.5e-6 + 400 * 1.5e-7 + 100 * 7.5e-6)
    # gpt-4o-mini has batch input/output prices but no batch cache price: scaled as input is.
    g = price_table(GPT, batch=True)
    assert (g.input, g.output, g.cache_read) == pytest.approx((7.5e-8, 3e-7, 7.5e-8 * 0.5))


def test_without_batch_prices_a_batch_call_costs_half():
    sync, batch = price_table(OWN), price_table(OWN, batch=True)
    assert (batch.input, batch.output) == pytest.approx((sync.input / 2, sync.output / 2))
    assert cost_usd(OWN, 1000, 100, batch=True) == pytest.approx(cost_usd(OWN, 1000, 100) / 2)


def test_own_prices_without_a_cache_price_charge_cached_tokens_in_full():
    # Never a guess below the bill: no cache price known, no saving claimed.
    assert cost_usd(OWN, 1000, 0, cached_prompt_tokens=900) == pytest.approx(1000 * 2e-6)
    assert cache_savings_usd(OWN, 900) == 0.0
    mine = OWN.model_copy(
        update={"cache_read_input_token_cost": 5e-7, "input_cost_per_token_batches": 1e-6}
    )
    assert cost_usd(mine, 1000, 0, cached_prompt_tokens=900) == pytest.approx(
        100 * 2e-6 + 900 * 5e-7
    )
    # The spec's batch input price; its cache price scaled as input is (1e-6 / 2e-6).
    assert cost_usd(mine, 1000, 0, cached_prompt_tokens=900, batch=True) == pytest.approx(
        100 * 1e-6 + 900 * 2.5e-7
    )


def test_no_price_is_none_never_zero():
    sim = ModelSpec(model="sim/judge")
    assert cost_usd(sim, 100, 10, cached_prompt_tokens=50) is None
    assert cache_savings_usd(sim, 50) is None
    assert cache_savings_usd(sim, 0) == 0.0
    assert price_table(sim, batch=True) is None


def test_cache_counts_are_capped_within_the_prompt():
    reply = checked_reply("x", "stop", 100, 5, None, 80, 50)
    assert (reply.cached_prompt_tokens, reply.cache_creation_tokens) == (80, 20)
    for bad in (-1, True, "12", 10**12, None):
        assert checked_reply("x", "stop", 100, 5, None, bad, bad).cached_prompt_tokens == 0
    assert checked_reply("x", "stop", None, 5, None, 80).cached_prompt_tokens == 0


def test_litellm_usage_as_its_anthropic_and_openai_code_builds_it():
    from workbench.model.backends import get_litellm

    usage_cls = get_litellm().Usage
    anthropic = usage_cls(
        prompt_tokens=1200,
        completion_tokens=10,
        cache_read_input_tokens=800,
        cache_creation_input_tokens=300,
    )
    assert cache_tokens(anthropic) == (800, 300)
    openai = usage_cls(
        prompt_tokens=1200, completion_tokens=10, prompt_tokens_details={"cached_tokens": 1024}
    )
    read, written = cache_tokens(openai)
    assert read == 1024 and not written
    assert cache_tokens(usage_cls(prompt_tokens=5, completion_tokens=1))[0] in (None, 0)


def test_the_http_client_reads_openai_cached_tokens():
    body = {
        "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": 2000,
            "completion_tokens": 3,
            "prompt_tokens_details": {"cached_tokens": 1920},
        },
    }
    reply = parse_reply(body)
    assert (reply.prompt_tokens, reply.cached_prompt_tokens, reply.cache_creation_tokens) == (
        2000,
        1920,
        0,
    )
    body["usage"]["prompt_tokens_details"] = "garbage"
    assert parse_reply(body).cached_prompt_tokens == 0


def test_the_client_records_cached_tokens_and_prices_them():
    from tests.support import run_async
    from tests.support.fakes import FakeBackend
    from workbench.model import CallMeta, ModelClient, Reply
    from workbench.records import CallRecord

    spec = OWN.model_copy(update={"cache_read_input_token_cost": 2e-7})
    records: list[dict] = []
    fake = FakeBackend(Reply("an answer", "stop", 3000, 40, None, 2048, 0))
    client = ModelClient(backend=fake, on_call=records.append)
    run_async(client.complete(spec, "solve", CallMeta("weak", "doc", 1)))
    (call,) = records
    CallRecord.model_validate(call)
    assert (call["prompt_tokens"], call["cached_prompt_tokens"]) == (3000, 2048)
    assert call["cost_usd"] == pytest.approx(952 * 2e-6 + 2048 * 2e-7 + 40 * 8e-6)
    assert call["cache_savings_usd"] == pytest.approx(2048 * (2e-6 - 2e-7))


def test_call_records_without_the_cache_fields_still_read():
    from workbench.records import CallRecord

    old = {
        "ts": 1.0,
        "role": "judge",
        "model": "sim/judge",
        "doc_id": "d",
        "round": 1,
        "rollout": 0,
        "side": "weak",
        "reask": 0,
        "attempt": 1,
        "latency_s": 0.1,
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "cost_usd": None,
        "cached": False,
        "finish_reason": "stop",
        "error": None,
    }
    record = CallRecord.model_validate(old)
    assert (record.cached_prompt_tokens, record.cache_creation_tokens) == (0, 0)
    assert record.cache_savings_usd is None
