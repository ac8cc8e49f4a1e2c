"""Spend per role and per decision kind, cost per accepted and cache savings: summed as the run
goes, recounted from stored runs, printed by `workbench report`."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from tests.support import FIXTURES
from workbench.records import UNRECORDED, Tally, format_spend, format_summary, load_run

STORED = FIXTURES / "runs" / "v0-agentic"


def _by_round(run) -> dict[tuple[str, int], str]:
    return {(r["doc_id"], r["round"]): r["decision"] for r in run.records("rounds")}


def test_spend_per_decision_on_a_stored_run():
    run = load_run(STORED)
    decision = _by_round(run)
    calls, tokens = Counter(), Counter()
    for c in run.records("calls"):
        kind = decision.get((c["doc_id"], c["round"]), UNRECORDED)
        calls[kind] += 1
        tokens[kind] += c["prompt_tokens"] + c["completion_tokens"]
    s = run.summary
    spend = s["spend_by_decision"]
    assert {k: v["calls"] for k, v in spend.items()} == dict(calls)
    assert {k: v["tokens"] for k, v in spend.items()} == dict(tokens)
    assert sum(v["calls"] for v in spend.values()) == s["calls"] == 138
    assert spend["too_easy"]["tokens"] > spend["accepted"]["tokens"] > 0
    assert all(v["cost_usd"] is None for v in spend.values())  # the simulator is free
    assert sum(v["tokens"] for v in s["spend_by_role"].values()) == s["paid_tokens"]
    assert s["tokens_per_accepted"] == pytest.approx(s["tokens"] / s["accepted"])
    assert s["cost_per_accepted"] is None and s["cache_savings_usd"] is None
    text = format_spend(s)
    share = tokens["too_easy"] / sum(tokens.values())
    assert f"spent on rounds that were too easy: {tokens['too_easy']:,} tokens, {share:.1%}" in text
    assert "no prices" in text


def test_with_prices_spend_is_in_dollars(tmp_path):
    # The stored run with prices on every call, as a run with price overrides writes them.
    run_dir = tmp_path / "run"
    shutil.copytree(STORED, run_dir)
    lines = []
    for line in (run_dir / "calls.jsonl").read_text().splitlines():
        c = json.loads(line)
        c["cost_usd"] = c["prompt_tokens"] * 1e-6 + c["completion_tokens"] * 4e-6
        lines.append(json.dumps(c))
    (run_dir / "calls.jsonl").write_text("\n".join(lines) + "\n")
    (run_dir / "summary.json").unlink()  # recounted from the records
    run = load_run(run_dir)
    s = run.summary
    decision = _by_round(run)
    easy = sum(
        c["cost_usd"]
        for c in run.records("calls")
        if decision.get((c["doc_id"], c["round"])) == "too_easy"
    )
    assert s["spend_by_decision"]["too_easy"]["cost_usd"] == pytest.approx(easy, abs=1e-6)
    assert s["cost_per_accepted"] == pytest.approx(s["cost_usd"] / s["accepted"], abs=1e-6)
    assert s["cache_savings_usd"] == 0.0
    assert f"spent on rounds that were too easy: ${easy:,.4f}" in format_spend(s)
    assert f"${s['cost_usd'] / s['accepted']:,.4f}" in format_summary(s)


def test_a_summary_written_before_spend_was_summed_is_recounted(tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(STORED, run_dir)
    s = load_run(run_dir).summary
    from workbench.records import SPEND_FIELDS

    old = {k: v for k, v in s.items() if k not in SPEND_FIELDS}
    (run_dir / "summary.json").write_text(json.dumps({**old, "format_version": 1}))
    again = load_run(run_dir).summary
    assert again["spend_by_decision"] == s["spend_by_decision"]
    assert again["status"] == s["status"]


def test_calls_of_no_recorded_round_are_unrecorded():
    tally = Tally(documents=1)
    call = {"role": "weak", "doc_id": "d", "round": 1, "prompt_tokens": 10}
    tally.add_call({**call, "completion_tokens": 5, "cost_usd": 0.5, "cached_prompt_tokens": 4})
    tally.add_call({**call, "completion_tokens": 5, "cost_usd": 0.5, "cached": True})
    tally.add_call({**call, "role": "probe", "doc_id": "probe", "completion_tokens": 1})
    tally.add_round({"doc_id": "d", "round": 1, "decision": "too_easy"})
    s = tally.summary()
    # A call-cache hit is a call, not paid tokens; the probe belongs to no round.
    assert s["spend_by_decision"]["too_easy"] == {
        "calls": 2,
        "tokens": 15,
        "cached_prompt_tokens": 4,
        "cost_usd": 1.0,
    }
    assert s["spend_by_decision"][UNRECORDED]["calls"] == 1
    assert s["spend_by_role"]["probe"]["tokens"] == 11
    assert s["cached_prompt_tokens"] == 4
