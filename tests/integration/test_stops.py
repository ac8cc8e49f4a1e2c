"""Every way a run stops leaves whole records, a summary that says why, and one line saying how
to continue: a full disk (ENOSPC injected into the `workbench run` subprocess through a
test-only sitecustomize), SIGTERM and SIGHUP (real signals to a run against a slow sim
server). Resume then gives exactly the uninterrupted run's accepted set."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

import workbench
from tests.support import ROOT, Server, cli
from workbench.config import sim_served

pytestmark = pytest.mark.slow
FULL_DISK = ROOT / "tests" / "support" / "full_disk"


def strip(records):
    rows = [{k: v for k, v in r.items() if k != "ts"} for r in records]
    return sorted(rows, key=lambda r: (r["doc_id"], r["round"]))


def full_disk(tmp_path, after: int) -> dict:
    path = os.pathsep.join([str(FULL_DISK), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {"PYTHONPATH": path, "FULL_DISK_DIR": str(tmp_path), "FULL_DISK_AFTER": str(after)}


def assert_whole(run_dir):
    """Every record file ends with a newline and every line is JSON; no temp file is left."""
    for path in run_dir.glob("*.jsonl"):
        text = path.read_text()
        assert not text or text.endswith("\n"), path
        for line in text.splitlines():
            json.loads(line)
    assert not list(run_dir.rglob("*.tmp"))


def test_a_full_disk_mid_run_stops_in_one_line_and_resumes_to_the_same_set(tmp_path, default_run):
    out = tmp_path / "run"
    result = cli("run", "--quiet", "--out", str(out), env=full_disk(tmp_path, 60_000))
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"workbench: stopped: no space left on device writing {out}/")
    assert lines[0].endswith(f"; free space and resume with: workbench run --resume {out}")
    assert_whole(out)
    assert (out / "rounds.jsonl").stat().st_size > 0  # it did stop mid-run
    resumed = cli("run", "--resume", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    run = workbench.load_run(out)
    assert run.summary["status"] == "complete"
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    assert strip(run.records("rounds")) == strip(default_run.records("rounds"))


def test_a_full_disk_while_the_run_directory_is_made_leaves_nothing(tmp_path):
    out = tmp_path / "run"
    result = cli("run", "--quiet", "--out", str(out), env=full_disk(tmp_path, 300))
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"workbench: stopped: no space left on device writing {out / 'config.json'}; "
        "free space and run again (nothing was left behind)"
    ]
    assert list(tmp_path.iterdir()) == []  # neither RUN_DIR nor a half-made temporary one
    again = cli("run", "--quiet", "--out", str(out), "--set", "max_rounds=1")
    assert again.returncode == 0, again.stderr  # the same --out, once there is space


@pytest.fixture(scope="module")
def slow_server():
    server = Server("--model", "sim", "--latency", "0.02")
    yield server
    server.stop()


def _start(args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path, proc, timeout_s=120, beyond=-1):
    """Until `path` exists and is larger than `beyond` bytes (the run is making progress)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > beyond:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_cleanly_at_random_points_and_resume_is_exact(
    tmp_path, slow_server, default_run, signum
):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(sim_served(slow_server.api_base) | {"cache": {"enabled": False}}))
    out = tmp_path / "run"
    rng = random.Random(int(signum))
    args = ["run", "--config", str(config), "--out", str(out), "--quiet", "--no-probe"]
    stops = 0
    for _ in range(5 if signum == signal.SIGTERM else 1):
        size = (out / "rounds.jsonl").stat().st_size if out.exists() else -1
        proc = _start(args, tmp_path)
        _wait_for(out / "rounds.jsonl", proc, beyond=size)  # a new round was written
        time.sleep(rng.uniform(0.0, 1.5))
        if proc.poll() is not None:
            break
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
        if proc.returncode == 0:
            break  # it finished first
        if proc.returncode == -signum:  # the signal came as the finished process was exiting
            assert json.loads((out / "summary.json").read_text())["status"] == "complete", stderr
            break
        stops += 1
        name = signal.Signals(signum).name
        assert proc.returncode == 128 + signum, stderr
        # The start may print the judge-audit hint (a served judge); the stop itself is one line.
        lines = [line for line in stderr.strip().splitlines() if not line.startswith("hint:")]
        assert [line for line in lines if line] == [
            f"workbench: stopped by {name}; records written so far are kept; "
            f"resume with: workbench run --resume {out}"
        ]
        summary = json.loads((out / "summary.json").read_text())
        assert summary["status"] == "terminated" and name in summary["stop_reason"]
        assert_whole(out)
        args = ["run", "--resume", str(out), "--quiet"]
    assert stops >= 1
    final = cli(*args)
    assert final.returncode == 0, final.stderr
    run = workbench.load_run(out)
    assert run.summary["status"] == "complete"
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))


def test_a_signal_while_starting_up_is_one_line_too(tmp_path):
    out = tmp_path / "run"
    proc = _start(["run", "--quiet", "--out", str(out)], tmp_path)
    time.sleep(0.3)  # still importing: nothing written yet
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1].startswith("workbench: stopped by SIGTERM")
    assert "Traceback" not in stderr


def test_a_second_signal_exits_at_once_and_records_stay_whole(tmp_path, slow_server, default_run):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(sim_served(slow_server.api_base) | {"cache": {"enabled": False}}))
    out = tmp_path / "run"
    proc = _start(
        ["run", "--config", str(config), "--out", str(out), "--quiet", "--no-probe"], tmp_path
    )
    _wait_for(out / "rounds.jsonl", proc, beyond=0)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.1)  # two signals at once are one (the kernel does not queue them)
    with contextlib.suppress(ProcessLookupError):  # the first stop may be done already
        proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143 and time.monotonic() - started < 10, stderr
    assert "Traceback" not in stderr
    assert_whole(out)
    resumed = cli("run", "--resume", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert strip(workbench.load_run(out).records("accepted")) == strip(
        default_run.records("accepted")
    )
