"""An infrastructure fault while solving re-runs the evaluation on the same task: the CLI on the
simulator served over HTTP, with the fault-injecting proxy in front of the weak solver only."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.integration.test_reliability import FaultProxy
from tests.support import DOCS, cli
from workbench.config import sim_served

pytestmark = pytest.mark.slow


def records(run_dir, name):
    return [json.loads(line) for line in (run_dir / name).read_text().splitlines()]


def test_solver_faults_are_retried_with_the_same_task(tmp_path, sim_server):
    proxy = FaultProxy(sim_server.api_base, rate=0.4, hang_s=1.5)
    config = sim_served(sim_server.api_base, "http")
    config["models"]["weak"].update(api_base=proxy.api_base, timeout_s=1.0)
    # One attempt per call: every injected fault is a failed solver call (the client's retries
    # are spent), which only an evaluation re-run gets past.
    config["retry"] = {"max_attempts": 1, "evaluations": 3}
    config["circuit_breaker"] = {"window": 200, "failure_ratio": 0.95}
    config["cache"] = {"enabled": False}
    config["max_rounds"] = 3
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    out = tmp_path / "r"
    docs = [str(DOCS / f"{d}.txt") for d in ("article-ii", "article-iii", "article-v")]
    try:
        result = cli("run", *docs, "--config", str(path), "--out", str(out), "--no-probe")
        faults = proxy.faults()
    finally:
        proxy.stop()
    assert result.returncode == 0, result.stderr
    assert sum(v for k, v in faults.items() if k != "requests") > 0, faults
    calls, rounds = records(out, "calls.jsonl"), records(out, "rounds.jsonl")
    # The challenger wrote each round's task once: a re-run never asks it again.
    written = Counter((c["doc_id"], c["round"]) for c in calls if c["role"] == "challenger")
    first_asks = Counter(
        (c["doc_id"], c["round"]) for c in calls if c["role"] == "challenger" and c["reask"] == 0
    )
    assert set(first_asks.values()) == {1} and set(first_asks) == set(written)
    assert {(r["doc_id"], r["round"]) for r in rounds} == set(first_asks)
    # Failed weak calls were asked again under a later evaluation, same round and rollout.
    failed = {
        (c["doc_id"], c["round"], c["rollout"], c["evaluation"])
        for c in calls
        if c["role"] == "weak" and c["error"]
    }
    assert failed
    rerun = {
        (c["doc_id"], c["round"], c["rollout"], c["evaluation"])
        for c in calls
        if c["role"] == "weak" and c["evaluation"] > 0
    }
    assert rerun and all(any(f[:3] == r[:3] and f[3] < r[3] for f in failed) for r in rerun), (
        "a re-run follows a failure of that rollout"
    )
    retried = [r for r in rounds if r["evaluation_retries"] > 0]
    assert retried
    survived = [r for r in retried if r["decision"] != "error"]
    assert survived, [r["reason"] for r in retried]
    for r in survived:
        assert any(a["evaluation"] > 0 for a in r["weak_rollouts"])
        assert r["evaluation_retries"] <= 3
    for r in rounds:
        if r["decision"] == "error" and r["evaluation_retries"]:
            assert r["evaluation_retries"] == 3 and "evaluation retries" in r["reason"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "complete" and summary["call_errors"] == len(
        [c for c in calls if c["error"]]
    )
