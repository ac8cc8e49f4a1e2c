"""Nothing lost, nothing paid twice: cache, faults and retries, SIGKILL and resume, budgets."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

import workbench
from tests.support import DOCS, ROOT, cli, free_port, wait_for_port
from tests.support.fault_proxy import request_hash
from workbench.config import sim_served
from workbench.engines import prepare
from workbench.loop import upper_bound
from workbench.model import CallCache

pytestmark = pytest.mark.slow


def strip(records):
    rows = [{k: v for k, v in r.items() if k != "ts"} for r in records]
    return sorted(rows, key=lambda r: (r["doc_id"], r["round"]))


class FaultProxy:
    def __init__(self, upstream: str, rate: float, log=None, hang_s: float = 4.0):
        self.port = free_port()
        args = [
            sys.executable,
            "-m",
            "tests.support.fault_proxy",
            upstream,
            str(self.port),
            "--rate",
            str(rate),
            "--hang",
            str(hang_s),
        ]
        if log:
            args += ["--log", str(log)]
        self.proc = subprocess.Popen(
            args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, self.proc, 30)
        self.api_base = f"http://127.0.0.1:{self.port}/v1"

    def faults(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/faults") as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def served_config(api_base, cache_path=None, client="litellm", **extra):
    config = sim_served(api_base, client)
    for spec in config["models"].values():
        spec["timeout_s"] = 2.0
    config["retry"] = {"base_s": 0.05, "max_s": 0.5, "max_attempts": 10}
    config["circuit_breaker"] = {"window": 200, "failure_ratio": 0.95}
    config["cache"] = {
        "enabled": cache_path is not None,
        "path": str(cache_path) if cache_path else None,
    }
    return {**config, **extra}


def test_warm_cache_makes_zero_provider_calls(tmp_path, sim_server):
    config = served_config(sim_server.api_base, tmp_path / "cache.sqlite")
    # Not probed: the probe is a real request by design, never served from the cache.
    first = workbench.run(out=tmp_path / "first", config=config, probe=False)
    before = sim_server.stats()["requests"]
    second = workbench.run(out=tmp_path / "second", config=config, probe=False)
    assert sim_server.stats()["requests"] == before, "a warm cache makes no provider call"
    assert second.summary["cached_calls"] == second.summary["calls"] == first.summary["calls"]
    assert second.summary["paid_tokens"] == 0
    assert strip(second.records("accepted")) == strip(first.records("accepted"))
    result = cli(
        "run",
        "--config",
        _write(tmp_path / "c.json", config),
        "--no-cache",
        "--no-probe",
        "--out",
        str(tmp_path / "third"),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert sim_server.stats()["requests"] == before + first.summary["calls"]


def test_rollouts_get_distinct_cache_entries(tmp_path, sim_server):
    config = served_config(
        sim_server.api_base,
        tmp_path / "cache.sqlite",
        max_rounds=1,
        verify=False,
        efficiency={"early_stop": False},  # all three weak rollouts, whatever the first two score
    )
    run = workbench.run([DOCS / "article-iii.txt"], config, out=tmp_path / "r", probe=False)
    weak_calls = [c for c in run.records("calls") if c["role"] == "weak"]
    cache = CallCache(tmp_path / "cache.sqlite")
    assert len(cache) == run.summary["calls"] and len(weak_calls) == 3


@pytest.mark.parametrize("client", ["litellm", "http"])
def test_faults_are_survived_and_change_nothing(tmp_path, sim_server, default_run, client):
    proxy = FaultProxy(sim_server.api_base, rate=0.3, hang_s=4.0)
    try:
        config = served_config(proxy.api_base, client=client)
        run = workbench.run(out=tmp_path / "faulty", config=config, probe=False)
        faults = proxy.faults()
    finally:
        proxy.stop()
    assert run.summary["status"] == "complete"
    assert all(
        faults.get(kind, 0) > 0
        for kind in (
            "rate_limit",
            "server_error",
            "unavailable",
            "hang",
            "reset",
            "truncated",
            "junk",
        )
    ), faults
    assert run.summary["call_errors"] > 0
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    assert strip(run.records("rounds")) == strip(default_run.records("rounds"))


def test_circuit_breaker_stops_a_dead_provider_cleanly(tmp_path, sim_server):
    proxy = FaultProxy(sim_server.api_base, rate=1.0, hang_s=0.1)
    config = served_config(proxy.api_base, circuit_breaker={"window": 20, "failure_ratio": 0.9})
    try:
        result = cli(
            "run",
            "--config",
            _write(tmp_path / "c.json", config),
            "--out",
            str(tmp_path / "r"),
            "--no-probe",  # the probe would refuse it first: this is about the breaker
        )
    finally:
        proxy.stop()
    assert result.returncode == 3
    assert re.search(r"circuit breaker: (18|19|20) of the last 20 calls failed", result.stderr), (
        result.stderr
    )
    assert f"workbench run --resume {tmp_path / 'r'}" in result.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["status"] == "circuit_breaker" and summary["calls"] < 60


def test_sigkill_at_random_points_then_resume(tmp_path, sim_server, default_run):
    log = tmp_path / "provider.log"
    proxy = FaultProxy(sim_server.api_base, rate=0.0, log=log)
    cache_path = tmp_path / "cache.sqlite"
    config = _write(tmp_path / "c.json", served_config(proxy.api_base, cache_path))
    out = tmp_path / "run"
    rng = random.Random(7)
    answered_before_phase: list[set[str]] = [set()]
    phase_starts = [0]
    try:
        # Not probed: the kills are timed for the run itself (a resume is never probed).
        args = ["run", "--config", config, "--out", str(out), "--quiet", "--no-probe"]
        for _ in range(4):
            proc = subprocess.Popen(
                [sys.executable, "-m", "workbench", *args],
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 120
            while not (out / "config.json").exists() and proc.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.05)  # the run directory appears whole (atomically) once made
            time.sleep(rng.uniform(1.0, 4.0))
            if proc.poll() is not None:
                break
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            if not (out / "config.json").exists():
                continue  # killed while the run directory was made: it is made whole or not at all
            _tear_last_line(out / "rounds.jsonl")
            answered = {
                request_hash(r["model"], r["messages"], r.get("seed"))
                for r in CallCache(cache_path).requests()
            }
            answered_before_phase.append(answered)
            phase_starts.append(len(log.read_text().splitlines()))
            args = ["run", "--resume", str(out), "--quiet"]
        final = subprocess.run(
            [sys.executable, "-m", "workbench", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert final.returncode == 0, final.stderr
    finally:
        proxy.stop()
    assert len(phase_starts) >= 3, "the run was killed at least twice"
    run = workbench.load_run(out)
    assert run.summary["status"] == "complete"
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    assert strip(run.records("rounds")) == strip(default_run.records("rounds"))
    requests = log.read_text().splitlines()
    for phase, start in enumerate(phase_starts):
        end = phase_starts[phase + 1] if phase + 1 < len(phase_starts) else len(requests)
        repeated = set(requests[start:end]) & answered_before_phase[phase]
        assert not repeated, f"phase {phase} re-requested {len(repeated)} already-answered calls"


def _tear_last_line(path):
    """Simulate a write torn by the kill: half a record at the end of the file."""
    with open(path, "a") as f:
        f.write('{"doc_id": "torn", "round": 1, "deci')


def test_budget_stop_and_resume_with_a_higher_budget(tmp_path, default_run):
    cache = tmp_path / "cache.sqlite"
    config = {"budget": {"tokens": 60_000}, "cache": {"path": str(cache)}}
    result = cli(
        "run", "--config", _write(tmp_path / "c.json", config), "--out", str(tmp_path / "r")
    )
    assert result.returncode == 3 and "budget.tokens 60,000" in result.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["status"] == "budget" and summary["paid_tokens"] <= 60_000
    assert "stopped before exceeding budget.tokens" in summary["stop_reason"]
    again = cli("run", "--resume", str(tmp_path / "r"), "--set", "budget.tokens=null")
    assert again.returncode == 0, again.stderr
    run = workbench.load_run(tmp_path / "r")
    assert run.summary["status"] == "complete"
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    assert run.header["resumes"][0]["config"]["budget"]["tokens"] is None


def test_budget_usd_needs_prices(tmp_path):
    result = cli("run", "--set", "budget.usd=1", "--out", str(tmp_path / "r"))
    assert (
        result.returncode == 2 and "budget.usd needs a price for models.challenger" in result.stderr
    )


def test_dry_run_bounds_actual_usage(default_run):
    config, documents, prompts, _ = prepare(None, None, probe_endpoints=False)
    bound = upper_bound(config, documents, prompts)
    assert bound.calls >= default_run.summary["calls"]
    assert bound.prompt_tokens >= default_run.summary["prompt_tokens"]
    assert bound.completion_tokens >= default_run.summary["completion_tokens"]
    result = cli("run", "--dry-run")
    assert (
        result.returncode == 0
        and "nothing was called" in result.stdout
        and f"{bound.calls:,}" in result.stdout
    )


def test_resume_refuses_changed_documents_or_config(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text((DOCS / "article-iii.txt").read_text())
    first = cli("run", str(docs), "--out", str(tmp_path / "r"), "--set", "max_rounds=2")
    assert first.returncode == 0, first.stderr
    changed = cli("run", "--resume", str(tmp_path / "r"), "--set", "rollouts=5")
    assert (
        changed.returncode == 2
        and "cannot resume: the config changed (rollouts: 3 -> 5)" in changed.stderr
    )
    (docs / "a.txt").write_text("Different text now.")
    edited = cli("run", "--resume", str(tmp_path / "r"))
    assert edited.returncode == 2 and "the documents changed" in edited.stderr
    allowed = cli(
        "run",
        str(DOCS / "article-iii.txt"),
        "--resume",
        str(tmp_path / "r"),
        "--set",
        "concurrency=4",
    )
    assert "documents changed" in allowed.stderr  # ids differ (a vs article-iii)


def test_resume_of_a_finished_run_redoes_nothing(tmp_path):
    out = tmp_path / "r"
    assert cli("run", str(DOCS / "article-vii.txt"), "--out", str(out)).returncode == 0
    before = (out / "rounds.jsonl").read_text()
    again = cli("run", "--resume", str(out))
    assert again.returncode == 0 and (out / "rounds.jsonl").read_text() == before


def test_huge_document_is_refused_before_anything(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("The Senate shall be composed of two Senators from each State. " * 330_000)
    assert big.stat().st_size > 20_000_000
    result = cli("run", str(big), "--out", str(tmp_path / "r"))
    assert result.returncode == 2 and "over the 400,000-character limit" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "r").exists()


def _write(path, data) -> str:
    path.write_text(json.dumps(data))
    return str(path)
