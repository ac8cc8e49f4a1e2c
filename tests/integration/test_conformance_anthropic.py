"""Anthropic Messages API through LiteLLM's real Anthropic code, over real HTTP to a
protocol-faithful test server (tests/support/anthropic_server.py): one full round."""

from __future__ import annotations

import pytest

from tests.support.anthropic_server import AnthropicServer
from tests.support.conformance import (
    PRICES,
    cache_priced,
    check_round,
    one_round,
    priced,
    write_config,
)
from workbench.config import ROLES

pytestmark = pytest.mark.slow  # a full round through LiteLLM: over 10 s

# Real model names, so LiteLLM takes the path it takes for them; the server answers each
# as the simulator's role. The judge's name is priced from LiteLLM's own price map.
NAMES = {
    "challenger": "claude-3-5-haiku-20241022",
    "verifier": "claude-haiku-4-5-20251001",
    "weak": "claude-sonnet-4-20250514",
    "strong": "claude-3-7-sonnet-20250219",
    "judge": "claude-sonnet-4-5-20250929",
}
KEY = "sk-ant-conformance"
THINKING = {"type": "enabled", "budget_tokens": 1024}
CACHE_POINTS = [{"location": "message", "role": "user"}]


@pytest.fixture
def server():
    s = AnthropicServer({name: role for role, name in NAMES.items()}, key=KEY)
    yield s
    s.stop()


def test_one_round_over_the_messages_api(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WB_ANTHROPIC_KEY", KEY)
    models = {}
    for role in ROLES:
        spec = {"model": f"anthropic/{NAMES[role]}", "api_base": server.api_base}
        spec["api_key_env"] = "WB_ANTHROPIC_KEY"
        if role not in ("judge", "verifier"):
            spec.update(PRICES)
        if role in (
            "weak",
            "strong",
            "verifier",
        ):  # thinking (LiteLLM then offers the tool unforced)
            spec.update(max_tokens=2048, extra={"thinking": THINKING})
        else:
            spec.update(extra={"cache_control_injection_points": CACHE_POINTS})
        if role == "weak":  # its rollouts send one prompt: cache reads, at the config's price
            spec["extra"]["cache_control_injection_points"] = CACHE_POINTS
            spec.update(cache_read_input_token_cost=2e-7, cache_creation_input_token_cost=2.5e-6)
        models[role] = spec
    run = one_round(tmp_path, write_config(tmp_path, models))
    answered = check_round(run, structured="json_schema")

    bodies = [b for b in server.requests if b["model"] == NAMES["challenger"]]
    # Structured output travels as a forced tool (older models) ...
    assert all(b["tool_choice"]["type"] == "tool" for b in bodies)
    assert all(b["tools"][0]["input_schema"]["type"] == "object" for b in bodies)
    # ... or as the output_format beta (newer ones), with its beta header.
    judged = [b for b in server.requests if b["model"] == NAMES["judge"]]
    assert judged and all("output_format" in b or "tools" in b for b in judged)
    # cache_control reached the wire and the server took it: cache writes and reads reported.
    marked = [
        b
        for b in bodies
        if any(
            "cache_control" in blk
            for m in b["messages"]
            for blk in m["content"]
            if isinstance(blk, dict)
        )
    ]
    assert marked, "no cache_control block was sent"
    assert server.cache, "no prefix was cached"
    assert all(h["x-api-key"] == KEY and h["anthropic-version"] for h in server.headers)

    by_role = {r: [c for c in answered if c["role"] == r] for r in ROLES}
    for c in by_role["challenger"]:
        # No cache prices in its config: cache writes and reads are charged as input.
        assert c["cost_usd"] == pytest.approx(priced(c, models[c["role"]]))
    check_cache_usage(run, server, answered, by_role, models["weak"])
    # The judge and verifier have no price in the config: LiteLLM's price map prices them.
    assert all(c["cost_usd"] > 0 for c in by_role["judge"] + by_role["verifier"])
    # With thinking on, the schema still travels: as output_format (Claude 4.5), or as the tool
    # offered unforced (older models: forcing a tool is refused with thinking).
    verifying = [b for b in server.requests if b["model"] == NAMES["verifier"]]
    assert verifying and all(b["thinking"] for b in verifying)
    assert all("output_format" in b or "tool_choice" not in b for b in verifying)
    assert all(c["reasoning_tokens"] for c in by_role["verifier"])
    # Thinking is recorded apart and priced as completion tokens.
    thinking = by_role["weak"] + by_role["strong"]
    assert all(
        c["reasoning_tokens"] and c["reasoning_tokens"] < c["completion_tokens"] for c in thinking
    )
    assert all(
        c["cost_usd"] == pytest.approx(priced(c, models["strong"])) for c in by_role["strong"]
    )
    assert run.summary["reasoning_tokens"] == sum(
        c["reasoning_tokens"] or 0 for c in run.records("calls")
    )
    assert KEY not in (tmp_path / "run" / "calls.jsonl").read_text()


def check_cache_usage(run, server, answered, by_role, weak: dict) -> None:
    """`cache_read_input_tokens` and `cache_creation_input_tokens`, as the server reported them,
    read back through LiteLLM's Anthropic code into calls.jsonl (within `prompt_tokens`, as
    LiteLLM counts them) and priced: at the config's cache prices (weak), at LiteLLM's price
    map's (the judge), and summed as cache savings."""
    from workbench.model.backends import get_litellm

    calls = [c for c in run.records("calls") if not c["error"]]
    reads = sum(u["cache_read_input_tokens"] for u in server.usages)
    writes = sum(u["cache_creation_input_tokens"] for u in server.usages)
    assert reads > 0 and writes > 0
    assert sum(c["cached_prompt_tokens"] for c in calls) == reads
    assert sum(c["cache_creation_tokens"] for c in calls) == writes
    assert all(
        c["prompt_tokens"] > c["cached_prompt_tokens"] + c["cache_creation_tokens"] for c in calls
    )
    hits = [c for c in by_role["weak"] if c["cached_prompt_tokens"]]
    assert hits, "no weak rollout read its prompt from the cache"
    for c in by_role["weak"]:
        assert c["cost_usd"] == pytest.approx(cache_priced(c, weak))
    assert all(c["cache_savings_usd"] > 0 for c in hits)
    info = get_litellm().get_model_info(f"anthropic/{NAMES['judge']}")
    for c in by_role["judge"]:
        fresh = c["prompt_tokens"] - c["cached_prompt_tokens"] - c["cache_creation_tokens"]
        expected = (
            fresh * info["input_cost_per_token"]
            + c["cached_prompt_tokens"] * info["cache_read_input_token_cost"]
            + c["cache_creation_tokens"] * info["cache_creation_input_token_cost"]
            + c["completion_tokens"] * info["output_cost_per_token"]
        )
        assert c["cost_usd"] == pytest.approx(expected)
    s = run.summary
    assert (s["cached_prompt_tokens"], s["cache_creation_tokens"]) == (reads, writes)
    assert s["cache_savings_usd"] == pytest.approx(
        sum(c["cache_savings_usd"] or 0 for c in calls), abs=1e-6
    )
