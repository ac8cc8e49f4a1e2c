"""The run's client per endpoint: from the probe, else from the run's earlier calls (a
resumed run is not probed again), else unprobed; Ray workers get the choice pinned."""

import json

from workbench.config import load_config
from workbench.engines._client import clients_used, pinned, run_clients
from workbench.model import Probe, ProbeResult, endpoint_key
from workbench.records import CallRecord

BASE = "http://127.0.0.1:8000/v1"


def config():
    return load_config(
        None,
        [
            "models.weak.model=openai/qwen",
            f"models.weak.api_base={BASE}",
            "models.judge.model=openai/qwen-judge",
            f"models.judge.api_base={BASE}",
        ],
    )


def test_the_probe_decides_and_unprobed_endpoints_fall_back():
    cfg = config()
    weak, judge = cfg.models.weak, cfg.models.judge
    found = Probe(
        [
            ProbeResult(weak.model, BASE, ["weak"], ok=True, client="http"),
            ProbeResult(judge.model, BASE, ["judge"], ok=True, client="litellm"),
        ]
    )
    chosen = run_clients(cfg, found)
    assert chosen[endpoint_key(weak)] == "http" and chosen[endpoint_key(judge)] == "litellm"
    assert chosen[endpoint_key(cfg.models.challenger)] == "litellm"  # sim/: in-process
    # Not probed (--no-probe): the lean path, unconfirmed.
    assert run_clients(cfg, None)[endpoint_key(judge)] == "http"
    # Resumed: what the run's earlier calls went over.
    assert run_clients(cfg, None, {judge.model: "litellm"})[endpoint_key(judge)] == "litellm"


def test_a_resume_reads_the_clients_back_and_old_records_without_one_still_read(tmp_path):
    base = {
        "ts": 1.0,
        "role": "judge",
        "doc_id": "d",
        "round": 1,
        "rollout": 0,
        "side": "weak",
        "reask": 0,
        "attempt": 1,
        "latency_s": 0.1,
        "prompt_tokens": 1,
        "completion_tokens": 1,
        "cost_usd": None,
        "cached": False,
        "finish_reason": "stop",
        "error": None,
    }
    old = {**base, "model": "openai/old"}  # written before the client was recorded
    new = {**base, "model": "openai/qwen-judge", "client": "litellm"}
    assert CallRecord.model_validate(old).client is None
    assert CallRecord.model_validate(new).client == "litellm"
    (tmp_path / "calls.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (old, new)))
    assert clients_used(tmp_path) == {"openai/qwen-judge": "litellm"}


def test_ray_workers_get_the_runs_choice_pinned():
    cfg = config()
    chosen = {endpoint_key(cfg.models.weak): "http", endpoint_key(cfg.models.judge): "litellm"}
    fixed = pinned(cfg, chosen)
    assert (fixed.models.weak.client, fixed.models.judge.client) == ("http", "litellm")
    assert fixed.models.challenger.client == "auto" and cfg.models.weak.client == "auto"
