"""`workbench run --set acceptance.preset=science` and `--set weak_rollouts=5` end to end on the
simulator, in a subprocess, as a user runs them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.support import DOCS, cli

pytestmark = pytest.mark.slow  # two simulator runs in subprocesses (~15 s each)


def records(run_dir, name):
    return [json.loads(line) for line in (run_dir / name).read_text().splitlines()]


def test_science_preset_runs_end_to_end_with_reference_judging(tmp_path):
    out = tmp_path / "science"
    docs = [str(DOCS / f"{d}.txt") for d in ("article-i", "article-ii", "article-v", "preamble")]
    result = cli("run", *docs, "--set", "acceptance.preset=science", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    header = json.loads((out / "config.json").read_text())
    config = header["config"]
    # The preset's implied settings, written out as the values used.
    assert (config["weak_rollouts"], config["strong_rollouts"]) == (4, 4)
    assert config["judge_mode"] == "reference" and config["max_rounds"] == 10
    assert header["prompts"]["judge_reference"]["file"] == "prompts/judge_reference.j2"
    assert (out / "prompts" / "judge_reference.j2").is_file()

    rounds = records(out, "rounds.jsonl")
    decisions = Counter(r["decision"] for r in rounds)
    assert decisions["accepted"] >= 2, decisions
    assert decisions["too_easy"] + decisions["failed_on_strong"] >= 2, decisions
    for r in rounds:
        assert r["rollouts"] == {"weak": 4, "strong": 4}
        for score in (r["weak_scores"] or []) + (r["strong_scores"] or []):
            assert score in (0.0, 1.0)  # binary verdicts
    for r in rounds:
        if r["decision"] == "accepted":
            assert len(r["weak_scores"]) == len(r["strong_scores"]) == 4
            assert sum(r["weak_scores"]) <= 1 and sum(r["strong_scores"]) >= 3
        if r["decision"] == "too_easy" and len(r["weak_scores"]) == 4:
            assert sum(r["weak_scores"]) >= 2
    # Reference judging: one judge call per answer (never one per criterion).
    calls = records(out, "calls.jsonl")
    judged = Counter(
        (c["doc_id"], c["round"], c["side"], c["rollout"], c["evaluation"])
        for c in calls
        if c["role"] == "judge" and c["reask"] == 0
    )
    assert judged and set(judged.values()) == {1}
    answers = sum(len(r["weak_rollouts"]) + len(r["strong_rollouts"]) for r in rounds)
    assert len(judged) >= answers
    # The stored decisions are what the preset gives over the stored scores.
    report = cli("report", str(out))
    assert report.returncode == 0, report.stderr


def test_set_weak_rollouts_plans_each_side(tmp_path):
    out = tmp_path / "sides"
    result = cli(
        "run",
        str(DOCS / "article-iii.txt"),
        "--set",
        "weak_rollouts=5",
        "--set",
        "acceptance.preset=autodata",
        "--set",
        "max_rounds=4",
        "--set",
        "efficiency.early_stop=false",
        "--out",
        str(out),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads((out / "config.json").read_text())["config"]
    assert (config["rollouts"], config["weak_rollouts"], config["strong_rollouts"]) == (3, 5, 3)
    rounds = records(out, "rounds.jsonl")
    solved = [r for r in rounds if r["weak_scores"]]
    assert solved
    for r in rounds:
        assert r["rollouts"] == {"weak": 5, "strong": 3}
    for r in solved:
        assert len(r["weak_scores"]) == 5  # no early stop: every planned weak rollout
        assert r["strong_scores"] is None or len(r["strong_scores"]) == 3
    calls = records(out, "calls.jsonl")
    weak = {(c["round"], c["rollout"]) for c in calls if c["role"] == "weak"}
    assert {rollout for _, rollout in weak} == set(range(5))
