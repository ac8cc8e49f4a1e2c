"""Spend per role and per decision kind in notebook 03: the same figures as the summary."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from tests.support import FIXTURES
from workbench import analysis
from workbench.records import load_run

STORED = FIXTURES / "runs" / "v0-agentic"


def _rows(table: pd.DataFrame, by: str) -> dict[str, dict]:
    return {r["name"]: r for r in table[table["by"] == by].to_dict("records")}


def test_spend_table_agrees_with_the_summary_on_a_stored_run():
    run = load_run(STORED)
    table = analysis.spend_table(run.calls, run.rounds)
    for by, stored in (("role", "spend_by_role"), ("decision", "spend_by_decision")):
        rows = _rows(table, by)
        assert {k: (r["calls"], r["tokens"]) for k, r in rows.items()} == {
            k: (v["calls"], v["tokens"]) for k, v in run.summary[stored].items()
        }
        assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0)
    assert table["cost_usd"].isna().all()  # the simulator: no prices
    figures = analysis.cost_figures(run.calls, run.rounds)
    assert figures["tokens_per_accepted"] == pytest.approx(run.summary["tokens_per_accepted"])
    assert figures["too_easy_tokens"] == run.summary["spend_by_decision"]["too_easy"]["tokens"]
    text = analysis.format_costs(figures)
    assert "spent on rounds that were too easy: 53,023 tokens" in text and "no prices" in text
    fig = analysis.spend_chart(table)
    assert [t.x for t in fig.data][1][:2] == ("accepted", "too_easy")


def test_with_prices_and_cached_tokens_the_figures_are_dollars(tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(STORED, run_dir)
    lines = []
    for line in (run_dir / "calls.jsonl").read_text().splitlines():
        c = json.loads(line)
        c["cached_prompt_tokens"] = c["prompt_tokens"] // 2
        c["cost_usd"] = c["prompt_tokens"] * 1e-6 - c["cached_prompt_tokens"] * 0.9e-6
        c["cache_savings_usd"] = c["cached_prompt_tokens"] * 0.9e-6
        lines.append(json.dumps(c))
    (run_dir / "calls.jsonl").write_text("\n".join(lines) + "\n")
    (run_dir / "summary.json").unlink()
    run = load_run(run_dir)
    figures = analysis.cost_figures(run.calls, run.rounds)
    s = run.summary
    assert figures["cost_per_accepted"] == pytest.approx(s["cost_per_accepted"], abs=1e-6)
    assert figures["cache_savings_usd"] == pytest.approx(s["cache_savings_usd"], abs=1e-6)
    assert figures["cached_share"] == pytest.approx(0.5, abs=0.01)
    table = analysis.spend_table(run.calls, run.rounds)
    easy = _rows(table, "decision")["too_easy"]
    assert easy["cost_usd"] == pytest.approx(
        s["spend_by_decision"]["too_easy"]["cost_usd"], abs=1e-6
    )
    assert f"${figures['too_easy_usd']:,.4f}" in analysis.format_costs(figures)


def test_an_empty_run_has_no_figures():
    empty = pd.DataFrame(columns=["doc_id", "round", "decision"])
    assert analysis.spend_table(pd.DataFrame(), empty).empty
    figures = analysis.cost_figures(pd.DataFrame(), empty)
    assert figures["cost_per_accepted"] is None and figures["tokens_per_accepted"] is None
    assert "nothing accepted" in analysis.format_costs(figures)
