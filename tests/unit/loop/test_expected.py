"""The dry run's `expected` figure: measured on a pilot run, scaled to another config and
document set, priced with cache and batch discounts."""

from __future__ import annotations

import pytest

import workbench
from tests.support import DOCS, FIXTURES, cli
from workbench.config import load_config
from workbench.engines import prepare
from workbench.loop import PRIOR, Pilot, Usage, expected, format_expected, measure, upper_bound

STORED = FIXTURES / "runs" / "v0-agentic"
DOCS3 = [DOCS / "preamble.txt", DOCS / "article-v.txt", DOCS / "article-i.txt"]


def pilot_of(run) -> Pilot:
    return measure(run.records("calls"), run.records("rounds"), run.header["config"], "pilot")


def setup(sets=(), docs=DOCS3):
    config = load_config(None, list(sets))
    config, documents, prompts, _ = prepare(docs, config, probe_endpoints=False, keys=False)
    return config, documents, prompts


def test_a_pilot_on_the_same_config_and_documents_is_reproduced():
    run = workbench.load_run(STORED)
    pilot = pilot_of(run)
    assert (pilot.rounds, pilot.accepted) == (20, 2)
    e = expected(*setup(), pilot)
    s = run.summary
    # Rounds and calls follow from the measured rates exactly; tokens from the pilot's tokens
    # per call and the challenger prompts rendered from these documents (with today's
    # prompts, longer than the fixture's).
    assert e.rounds == pytest.approx(s["rounds"])
    assert e.accepted == pytest.approx(s["documents_accepted"])
    assert e.calls == pytest.approx(s["calls"])
    assert e.tokens == pytest.approx(s["tokens"], rel=0.2)
    assert e.cost_usd is None  # the simulator has no prices


def test_the_estimate_scales_with_rollouts_max_rounds_and_documents():
    pilot = pilot_of(workbench.load_run(STORED))
    base = expected(*setup(), pilot)
    more = expected(*setup(["rollouts=6"]), pilot)
    assert more.by_role["weak"]["calls"] == pytest.approx(2 * base.by_role["weak"]["calls"])
    assert more.by_role["judge"]["calls"] == pytest.approx(2 * base.by_role["judge"]["calls"])
    assert more.by_role["challenger"] == base.by_role["challenger"]
    fewer = expected(*setup(["max_rounds=3"]), pilot)
    assert fewer.rounds < base.rounds and fewer.accepted < base.accepted
    one = expected(*setup(docs=DOCS3[:1]), pilot)
    assert one.rounds == pytest.approx(base.rounds / 3)
    baseline = expected(*setup(["mode=baseline"]), pilot)
    assert baseline.rounds == pytest.approx(3)


def test_cache_share_and_batch_discount_the_expected_cost():
    usage = {
        "challenger": Usage(1.0, 0.0, 0.0),
        "weak": Usage(2.0, 1000.0, 100.0, cached_share=0.5),
    }
    pilot = Pilot("hand-made", 1, 10, 10, usage, {"weak": 3, "strong": 3}, hazards=(1.0,))
    prices = "input_cost_per_token=1e-6", "output_cost_per_token=4e-6"
    sets = [f"models.{r}.{p}" for r in ("challenger", "weak") for p in prices]
    sets += ["models.weak.cache_read_input_token_cost=1e-7", "verify=false"]
    config, documents, prompts = setup(sets, docs=DOCS3[:1])
    e = expected(config, documents, prompts, pilot)
    assert e.rounds == 1 and e.by_role["weak"]["calls"] == 2
    weak = 2 * (500 * 1e-6 + 500 * 1e-7 + 100 * 4e-6)
    challenger = e.by_role["challenger"]["tokens"] * 1e-6  # its prompt (no completion measured)
    assert e.cost_usd == pytest.approx(weak + challenger)
    batch = expected(config, documents, prompts, pilot, batch=True)
    assert batch.cost_usd == pytest.approx(e.cost_usd / 2)  # no batch prices known: half
    text = format_expected(batch)
    assert e.cached_prompt_tokens == pytest.approx(1000)  # half of the weak side's prompts
    share = f"{e.cached_prompt_tokens / e.prompt_tokens:.0%} read from the provider's cache"
    assert "cache discount" in text and "batch prices" in text and share in text


def test_the_prior_is_said_to_be_one_and_still_matches_the_default_run(default_run):
    assert "a prior" in format_expected(expected(*setup(), PRIOR))
    measured = pilot_of(default_run)
    assert measured.rounds == pytest.approx(PRIOR.rounds, rel=0.25)
    assert measured.accepted == pytest.approx(PRIOR.accepted, rel=0.25)
    for kind, usage in PRIOR.usage.items():
        got = measured.usage[kind]
        assert got.calls_per_round == pytest.approx(usage.calls_per_round, rel=0.25), kind
        assert got.prompt_tokens == pytest.approx(usage.prompt_tokens, rel=0.25), kind
    config, documents, prompts = setup(docs=None)
    e = expected(config, documents, prompts, PRIOR)
    s = default_run.summary
    assert 0.5 < e.calls / s["calls"] < 2 and 0.5 < e.tokens / s["tokens"] < 2
    bound = upper_bound(config, documents, prompts)
    assert bound.prompt_tokens + bound.completion_tokens > 10 * e.tokens


def test_dry_run_prints_both_figures_and_checks_the_pilot(tmp_path):
    result = cli("run", *map(str, DOCS3), "--dry-run", "--pilot", str(STORED))
    assert result.returncode == 0, result.stderr
    assert "Upper bound" in result.stdout
    assert f"expected (from the pilot run {STORED}: 20 rounds, 2 accepted" in result.stdout
    plain = cli("run", "--dry-run")
    assert plain.returncode == 0 and "expected (from a prior" in plain.stdout
    missing = cli("run", "--dry-run", "--pilot", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "not a run directory" in missing.stderr
    alone = cli("run", "--pilot", str(STORED), "--out", str(tmp_path / "r"))
    assert alone.returncode == 2 and "--dry-run" in alone.stderr
    assert not (tmp_path / "r").exists()


def test_the_pilots_cache_share_is_measured_per_call_kind():
    run = workbench.load_run(STORED)
    calls = run.records("calls")
    for c in calls:
        if c["role"] == "judge":
            c["cached_prompt_tokens"] = c["prompt_tokens"] // 2
    pilot = measure(calls, run.records("rounds"), run.header["config"], "pilot")
    assert pilot.usage["judge:weak"].cached_share == pytest.approx(0.5, abs=0.01)
    assert pilot.usage["weak"].cached_share == 0.0
    e = expected(*setup(), pilot)
    assert 0 < e.cached_prompt_tokens < e.by_role["judge"]["tokens"]  # half the judge prompts
