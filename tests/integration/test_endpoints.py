"""Plain configs against endpoints that refuse some structured-output modes, through real
LiteLLM over real HTTP: the run negotiates a mode, records it, and goes on; an unknown
model stops the run in one line, without a retry storm.

The test server speaks OpenAI Chat Completions on 127.0.0.1 and answers as the simulator
would for the role its model is named after (`openai/challenger` -> `sim/challenger`).
"""

from __future__ import annotations

import json

import pytest

import workbench
from tests.support import cli
from tests.support.chat_server import DOC, ROLES, ChatServer, llama_cpp, plain_config, schema_free

pytestmark = pytest.mark.slow


@pytest.fixture
def server(request):
    s = ChatServer(request.param)
    yield s
    s.stop()


@pytest.mark.parametrize(
    "server, mode",
    # A server that refuses every response_format ignores vLLM's guided_json (an unknown
    # field): that request, which carries the schema in its prompt too, is the one answered.
    [(llama_cpp, "json_object_schema"), (schema_free, "guided_json")],
    indirect=["server"],
)
def test_a_plain_config_negotiates_the_mode_and_runs(server, mode, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    run = workbench.run([DOC], plain_config(server.api_base), out=tmp_path / "run")
    assert run.summary["status"] == "complete"
    decisions = [r["decision"] for r in run.records("rounds")]
    assert decisions and set(decisions) != {"error"}, decisions
    calls = run.records("calls")
    structured = [c for c in calls if c["role"] in ("challenger", "verifier", "judge")]
    answered = [c for c in structured if not c["error"]]
    assert answered and {c["structured_output"] for c in answered} == {mode}
    # Each role's endpoint was refused at most once per mode above the one that works.
    refused = [c for c in structured if c["error"]]
    assert all(c["prompt_tokens"] is None and not c["cost_usd"] for c in refused)
    assert len(refused) <= 3 * 3
    assert all(c["structured_output"] is None for c in calls if c["role"] in ("weak", "strong"))
    memory = json.loads((tmp_path / "cache" / "structured_modes.json").read_text())
    assert memory[f"openai/challenger|{server.api_base}"] == mode
    # A later run starts at the remembered mode: no refusal at all.
    again = workbench.run([DOC], plain_config(server.api_base, seed=1), out=tmp_path / "again")
    assert not [c for c in again.records("calls") if c["error"]]


@pytest.mark.parametrize("server", [llama_cpp], indirect=True)
def test_an_explicit_mode_is_used_as_given(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    cfg = plain_config(server.api_base, max_rounds=1)
    for role in ROLES:
        cfg["models"][role]["structured_output"] = "json_object_schema"
    run = workbench.run([DOC], cfg, out=tmp_path / "run")
    assert not [c for c in run.records("calls") if c["error"]]
    assert all(
        r["response_format"]["type"] == "json_object"
        for r in server.requests
        if "response_format" in r
    )


@pytest.mark.parametrize("server", [llama_cpp], indirect=True)
def test_an_unknown_model_is_one_line_exit_3_and_no_retry_storm(server, tmp_path):
    config = tmp_path / "config.toml"
    lines = ["max_rounds = 3", "rollouts = 3"]
    for role in ROLES:
        name = "nope" if role == "challenger" else role
        lines += [f"[models.{role}]", f'model = "openai/{name}"', f'api_base = "{server.api_base}"']
    config.write_text("\n".join(lines) + "\n")
    result = cli(
        "run",
        str(DOC),
        "--config",
        str(config),
        "--out",
        str(tmp_path / "run"),
        "--quiet",
        "--no-probe",  # the probe would stop it first (tests/integration/test_probe.py)
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("workbench:")]
    assert len(errors) == 1, result.stderr
    assert "model openai/nope not found" in errors[0] and "fatal_error" in errors[0]
    assert len(server.requests) <= 2, [r["model"] for r in server.requests]
