"""The same run on a Ray cluster (started by the test, 2 CPUs): same records, same cache, resumable."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import workbench
import workbench.inputs
from tests.support import cli, free_port, require
from workbench.config import sim_served

pytestmark = [pytest.mark.slow, pytest.mark.ray]
ray = require("ray", "ray")


def strip(records):
    rows = [{k: v for k, v in r.items() if k != "ts"} for r in records]
    return sorted(rows, key=lambda r: (r["doc_id"], r["round"]))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`ray start --head` with 2 CPUs on loopback; workers inherit this environment."""
    port = free_port()
    tmp = tmp_path_factory.mktemp("ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    ray_bin = os.path.join(os.path.dirname(sys.executable), "ray")
    subprocess.run(
        [
            ray_bin,
            "start",
            "--head",
            "--num-cpus",
            "2",
            "--port",
            str(port),
            "--node-ip-address",
            "127.0.0.1",
            "--include-dashboard",
            "false",
            "--disable-usage-stats",
            "--temp-dir",
            str(tmp),
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=180,
    )
    yield f"127.0.0.1:{port}"
    subprocess.run([ray_bin, "stop", "--force"], env=env, capture_output=True, timeout=120)


def test_ray_engine_gives_the_local_accepted_set(cluster, default_run, tmp_path):
    result = cli(
        "run", "--engine", "ray", "--address", cluster, "--out", str(tmp_path / "r"), "--quiet"
    )
    assert result.returncode == 0, result.stderr
    run = workbench.load_run(tmp_path / "r")
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    assert strip(run.records("rounds")) == strip(default_run.records("rounds"))
    assert run.summary["calls"] == default_run.summary["calls"]
    assert run.header["config"]["engine"] == "ray"


def test_cache_is_shared_across_engines(cluster, sim_server, tmp_path):
    config = {**sim_served(sim_server.api_base), "cache": {"path": str(tmp_path / "cache.sqlite")}}
    (tmp_path / "c.json").write_text(json.dumps(config))
    doc = str(workbench.inputs.default_docs_dir() / "article-iii.txt")
    local = cli(
        "run",
        doc,
        "--config",
        str(tmp_path / "c.json"),
        "--out",
        str(tmp_path / "local"),
        "--quiet",
    )
    assert local.returncode == 0, local.stderr
    before = sim_server.stats()["requests"]
    on_ray = cli(
        "run",
        doc,
        "--config",
        str(tmp_path / "c.json"),
        "--engine",
        "ray",
        "--address",
        cluster,
        "--out",
        str(tmp_path / "ray"),
        "--quiet",
        "--no-probe",  # the probe is a real request by design, never served from the cache
    )
    assert on_ray.returncode == 0, on_ray.stderr
    assert sim_server.stats()["requests"] == before, "every call came from the cache"
    summary = json.loads((tmp_path / "ray" / "summary.json").read_text())
    assert summary["cached_calls"] == summary["calls"] > 0


def test_resume_after_the_driver_is_killed(cluster, sim_server, default_run, tmp_path):
    config = {**sim_served(sim_server.api_base), "cache": {"path": str(tmp_path / "cache.sqlite")}}
    (tmp_path / "c.json").write_text(json.dumps(config))
    out = tmp_path / "r"
    driver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench",
            "run",
            "--config",
            str(tmp_path / "c.json"),
            "--engine",
            "ray",
            "--address",
            cluster,
            "--out",
            str(out),
            "--quiet",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 180
    while time.time() < deadline and not _rounds_written(out, 5):
        time.sleep(0.2)
    assert driver.poll() is None, "the run finished before it could be killed"
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    resumed = cli("run", "--resume", str(out), "--engine", "ray", "--address", cluster, "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    run = workbench.load_run(out)
    assert run.summary["status"] == "complete"
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    assert strip(run.records("rounds")) == strip(default_run.records("rounds"))


def _rounds_written(out, n) -> bool:
    path = out / "rounds.jsonl"
    return path.exists() and path.read_text().count("\n") >= n
