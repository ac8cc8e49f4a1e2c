"""`--engine batch`: every call through a batch API (LiteLLM's real files/batches code against
a protocol-faithful server on 127.0.0.1, or the simulator's own batch server), with the async
engine's decisions, batch prices, failed and expired batches, and a restart mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import DOCS, ROOT, cli
from tests.support.batch_server import BatchServer

pytestmark = pytest.mark.slow  # each test is a CLI run over batch jobs (~30-60 s)

ROLES = ("challenger", "verifier", "weak", "strong", "judge")
DOC_NAMES = ("article-i.txt", "article-iii.txt")
SMALL = ["--set", "max_rounds=3", "--no-cache", "--quiet"]
PRICE_IN, PRICE_OUT = 1e-6, 2e-6


def docs() -> list[str]:
    return [str(DOCS / name) for name in DOC_NAMES]


def records(run_dir: Path, name: str) -> list[dict]:
    path = run_dir / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def outcome(run_dir: Path) -> tuple[list, list]:
    """The decisions of every round and the accepted examples, in a fixed order."""
    rounds = sorted(
        (r["doc_id"], r["round"], r["decision"]) for r in records(run_dir, "rounds.jsonl")
    )
    accepted = sorted(
        (a["doc_id"], a["round"], a["question"], a["weak_scores"], a["strong_scores"])
        for a in records(run_dir, "accepted.jsonl")
    )
    return rounds, accepted


def served_config(path: Path, api_base: str) -> Path:
    """Every role as `openai/<role>` on the batch test server, with prices of its own."""
    lines = []
    for role in ROLES:
        lines += [
            f"[models.{role}]",
            f'model = "openai/{role}"',
            f'api_base = "{api_base}"',
            f"input_cost_per_token = {PRICE_IN}",
            f"output_cost_per_token = {PRICE_OUT}",
            "",
        ]
    path.write_text("\n".join(lines))
    return path


@pytest.fixture
def server():
    s = BatchServer()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def async_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("async") / "run"
    result = cli("run", *docs(), "--out", str(out), *SMALL)
    assert result.returncode == 0, result.stderr
    return out


def test_sim_batch_engine_decides_as_the_async_engine(tmp_path, async_run):
    out = tmp_path / "batch"
    result = cli("run", *docs(), "--out", str(out), "--engine", "batch", *SMALL)
    assert result.returncode == 0, result.stderr
    assert outcome(out) == outcome(async_run)
    calls = records(out, "calls.jsonl")
    assert calls and all(c["batch"] and c["batch_id"] for c in calls)
    journal = records(out, "batches.jsonl")
    submitted = {e["batch_id"] for e in journal if e["event"] == "submitted"}
    assert {c["batch_id"] for c in calls} <= submitted
    assert {e["batch_id"] for e in journal if e["event"] == "used"} == submitted
    # Each step of every document is one batch: fewer batches than calls.
    assert len(submitted) < len(calls)
    assert json.loads((out / "config.json").read_text())["config"]["engine"] == "batch"


def test_a_run_through_litellms_batch_calls_at_half_price(tmp_path, server, async_run):
    config = served_config(tmp_path / "served.toml", server.api_base)
    out = tmp_path / "run"
    result = cli(
        "run",
        *docs(),
        "--config",
        str(config),
        "--out",
        str(out),
        "--engine",
        "batch",
        "--no-probe",
        *SMALL,
    )
    assert result.returncode == 0, result.stderr
    assert outcome(out) == outcome(async_run)  # the same simulator behind the batch API
    calls = records(out, "calls.jsonl")
    counts = server.counts
    assert counts["lines"] == len(calls)  # every call was a batch line, once
    assert counts["batches"] > 0 and counts["retrievals"] >= counts["batches"]
    assert set(server.statuses().values()) == {"completed"}
    for call in calls:
        assert call["batch"] and call["batch_id"] in server.statuses()
        full = call["prompt_tokens"] * PRICE_IN + call["completion_tokens"] * PRICE_OUT
        assert call["cost_usd"] == pytest.approx(full / 2)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cost_usd"] == pytest.approx(sum(c["cost_usd"] for c in calls), abs=1e-5)


def test_a_failed_batch_is_sent_again_once(tmp_path, server, async_run):
    server.fates = ["failed"]
    config = served_config(tmp_path / "served.toml", server.api_base)
    out = tmp_path / "run"
    result = cli(
        "run",
        *docs(),
        "--config",
        str(config),
        "--out",
        str(out),
        "--engine",
        "batch",
        "--no-probe",
        "--set",
        "max_rounds=3",
        "--no-cache",
    )
    assert result.returncode == 0, result.stderr
    failed = [b for b, s in server.statuses().items() if s == "failed"]
    assert len(failed) == 1
    line = next(x for x in result.stderr.splitlines() if failed[0] in x)
    assert "failed (the batch failed)" in line and "sent again in a new batch" in line
    assert outcome(out) == outcome(async_run)
    bodies = server.bodies()
    first = {json.dumps(b, sort_keys=True) for _, b in server.lines[failed[0]]}
    assert all(bodies.count(b) == 2 for b in first)  # the failed batch's lines, once more
    assert not any(c["error"] for c in records(out, "calls.jsonl"))


def test_a_batch_failing_twice_ends_its_calls_as_errors(tmp_path, server):
    server.fates = ["failed", "failed"]
    config = served_config(tmp_path / "served.toml", server.api_base)
    out = tmp_path / "run"
    result = cli(
        "run",
        str(DOCS / DOC_NAMES[0]),
        "--config",
        str(config),
        "--out",
        str(out),
        "--engine",
        "batch",
        "--no-probe",
        "--set",
        "max_rounds=1",
        "--no-cache",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    errors = [c["error"] for c in records(out, "calls.jsonl") if c["error"]]
    assert errors and all("left unanswered twice" in e for e in errors)
    assert [r["decision"] for r in records(out, "rounds.jsonl")] == ["error"]


def test_an_expired_batch_keeps_its_answers_and_sends_the_rest_again(tmp_path, server, async_run):
    server.fates = ["expired"]
    config = served_config(tmp_path / "served.toml", server.api_base)
    out = tmp_path / "run"
    result = cli(
        "run",
        *docs(),
        "--config",
        str(config),
        "--out",
        str(out),
        "--engine",
        "batch",
        "--no-probe",
        "--set",
        "max_rounds=3",
        "--no-cache",
    )
    assert result.returncode == 0, result.stderr
    expired = [b for b, s in server.statuses().items() if s == "expired"]
    assert len(expired) == 1
    sent = server.lines[expired[0]]
    assert len(sent) == 2  # both documents' first challenger calls
    assert "1 answered, 1 sent again in a new batch" in result.stderr
    bodies = server.bodies()
    assert sorted(bodies.count(json.dumps(b, sort_keys=True)) for _, b in sent) == [1, 2]
    assert outcome(out) == outcome(async_run)


def _wait_for(predicate, timeout_s: float = 120.0) -> None:
    deadline = time.time() + timeout_s
    while not predicate():
        if time.time() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


def test_a_restart_mid_batch_polls_the_batch_again_and_pays_once(tmp_path, server, async_run):
    server.hold.clear()  # batches stay in progress until released
    config = served_config(tmp_path / "served.toml", server.api_base)
    out = tmp_path / "run"
    args = [
        sys.executable,
        "-m",
        "workbench",
        "run",
        *docs(),
        "--config",
        str(config),
        "--out",
        str(out),
        "--engine",
        "batch",
        "--no-probe",
        *SMALL,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: any(e["event"] == "submitted" for e in records(out, "batches.jsonl")))
        _wait_for(lambda: server.lines)  # the server holds it, in progress
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    held = next(e for e in records(out, "batches.jsonl") if e["event"] == "submitted")
    assert server.statuses() == {held["batch_id"]: "in_progress"}
    assert server.counts["batches"] == 1
    server.hold.set()
    result = cli("run", "--resume", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "from before the restart completed: 2 of 2 replies used" in result.stderr
    bodies = server.bodies()
    assert len(bodies) == len(set(bodies))  # no request was sent (or paid for) twice
    calls = records(out, "calls.jsonl")
    assert sum(c["batch_id"] == held["batch_id"] for c in calls) == 2
    assert server.counts["lines"] == len(calls)
    assert outcome(out) == outcome(async_run)


def test_models_without_a_batch_api_are_refused_before_any_call(tmp_path):
    result = cli(
        "run",
        str(DOCS / DOC_NAMES[0]),
        "--out",
        str(tmp_path / "run"),
        "--engine",
        "batch",
        "--set",
        'models.weak.model="anthropic/claude-sonnet-4-5"',
        "--no-probe",
        env={"ANTHROPIC_API_KEY": "sk-ant-test-not-a-key"},
    )
    assert result.returncode == 2
    assert "LiteLLM cannot create Anthropic message batches" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()
