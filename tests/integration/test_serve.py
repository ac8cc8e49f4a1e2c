"""The simulator served over HTTP, used through LiteLLM's ordinary openai/ provider."""

import json

import pytest

import workbench
from tests.support import DOCS, Server, cli
from workbench.config import sim_served

pytestmark = pytest.mark.slow


def strip(records):
    rows = [{k: v for k, v in r.items() if k != "ts"} for r in records]
    return sorted(rows, key=lambda r: (r["doc_id"], r["round"]))


@pytest.mark.parametrize("client", ["litellm", "http"])
def test_served_simulator_gives_the_same_accepted_set(tmp_path, sim_server, default_run, client):
    run = workbench.run(out=tmp_path / "served", config=sim_served(sim_server.api_base, client))
    probes = [c for c in run.records("calls") if c["role"] == "probe"]
    assert len(probes) == 5  # the preflight probe: one request per endpoint, recorded
    assert run.summary["calls"] == default_run.summary["calls"] + len(probes)
    assert strip(run.records("accepted")) == strip(default_run.records("accepted"))
    calls = run.records("calls")
    assert {c["model"] for c in calls} == {
        f"openai/{r}" for r in ("challenger", "verifier", "weak", "strong", "judge")
    }
    assert all(
        c["prompt_tokens"] > 0 and c["completion_tokens"] > 0 for c in calls if not c["error"]
    )


@pytest.mark.parametrize("client", ["litellm", "http"])
def test_fake_keys_never_land_in_run_files_or_notebooks(tmp_path, sim_server, monkeypatch, client):
    keys = {
        "WB_TEST_PROVIDER_KEY": "sk-wbtest-" + "a1b2c3d4" * 4,
        "OPENAI_API_KEY": "sk-openai-fake-" + "9z8y7x6w" * 3,
        "ANTHROPIC_API_KEY": "sk-ant-fake-" + "q1w2e3r4" * 3,
    }
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    config = sim_served(sim_server.api_base, client)
    config["cache"] = {"enabled": False}  # every call must reach the server, key and all
    for spec in config["models"].values():
        spec["api_key_env"] = "WB_TEST_PROVIDER_KEY"
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    before = sim_server.stats()["authorized"]
    result = cli(
        "run",
        str(DOCS / "article-iii.txt"),
        "--config",
        str(config_file),
        "--out",
        str(tmp_path / "run"),
    )
    assert result.returncode == 0, result.stderr
    assert sim_server.stats()["authorized"] > before, "the key was sent to the server"

    from workbench.notebook import run_notebook

    run_notebook(
        "quickstart",
        {
            "config": str(config_file),
            "docs": [str(DOCS / "article-v.txt")],
            "out_dir": str(tmp_path / "nb-run"),
        },
        out_dir=tmp_path / "nb",
        cwd=tmp_path,
    )
    scanned = 0
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            scanned += 1
            for name, value in keys.items():
                assert value.encode() not in data, f"{name} leaked into {path}"
    assert scanned >= 15
    assert result.stdout.count("sk-") == 0 and result.stderr.count("sk-") == 0


def test_per_role_timeout(tmp_path):
    slow = Server("--model", "sim", "--latency", "2")
    try:
        config = sim_served(slow.api_base)
        config["models"]["challenger"]["timeout_s"] = 0.3
        run = workbench.run(
            [DOCS / "article-vii.txt"],
            {**config, "max_rounds": 1},
            out=tmp_path / "t",
            probe=False,  # the probe would stop it first: this is about the run's calls
        )
    finally:
        slow.stop()
    (r,) = run.records("rounds")
    assert r["decision"] == "error" and "challenger" in r["reason"]
    calls = run.records("calls")
    assert calls and all("Timeout" in c["error"] for c in calls)
    assert all(c["latency_s"] < 1.9 for c in calls)


def test_unreachable_server_is_a_one_line_error_before_any_call(tmp_path):
    from tests.support import free_port

    config = tmp_path / "c.json"
    config.write_text(json.dumps(sim_served(f"http://127.0.0.1:{free_port()}/v1")))
    result = cli("run", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and "cannot reach" in result.stderr
    assert not (tmp_path / "run").exists()


def test_unknown_model_on_the_server(sim_server, tmp_path):
    config = sim_served(sim_server.api_base)
    config["models"]["weak"]["model"] = "openai/wizard"
    run = workbench.run(
        [DOCS / "article-vii.txt"],
        {**config, "max_rounds": 1, "verify": False},
        out=tmp_path / "u",
        probe=False,  # the probe would stop it first (tests/integration/test_probe.py)
    )
    # Not transient: the run stops at the first call (one line, no retries), no round is spent.
    assert run.summary["status"] == "fatal_error" and run.records("rounds") == []
    assert "openai/wizard not found" in run.summary["stop_reason"]
    assert "unknown sim solver" in run.summary["stop_reason"]
    assert "\n" not in run.summary["stop_reason"]
