"""Every role on the real bundled model (SmolLM2-135M via llama.cpp), in-process and served.

Needs the `local` extra (scripts/test installs it). These are slow on CPU: one
document, one round each.
"""

import pytest

import workbench
from tests.support import DOCS, Server, require
from workbench.config import local, local_served
from workbench.records import DECISIONS, RoundRecord

pytestmark = [pytest.mark.local_model, pytest.mark.slow]
require("llama_cpp", "local")
DOC = DOCS / "article-vii.txt"


def check_real_run(run):
    calls = run.records("calls")
    answered = [c for c in calls if not c["error"]]
    assert answered, calls
    assert all(c["prompt_tokens"] > 20 and c["completion_tokens"] > 0 for c in answered)
    assert {c["role"] for c in answered} >= {"challenger"}
    rounds = run.records("rounds")
    assert len(rounds) == 1
    record = RoundRecord.model_validate(rounds[0])
    assert record.decision in DECISIONS
    if record.task is not None:
        assert record.task.question and record.task.rubric
    return record


def test_local_model_in_process(tmp_path):
    run = workbench.run([DOC], {**local(), "max_rounds": 1}, out=tmp_path / "local")
    record = check_real_run(run)
    assert {c["model"] for c in run.records("calls")} == {"local/smollm2"}
    if record.strong_rollouts:
        assert all(a.answer for a in record.strong_rollouts)


def test_local_model_served(tmp_path):
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    server = Server("--model", "local", ready_timeout_s=180, log=log)
    try:
        run = workbench.run(
            [DOC], {**local_served(server.api_base), "max_rounds": 1}, out=tmp_path / "served"
        )
    finally:
        server.stop()
        log.close()
    check_real_run(run)
    assert {c["model"] for c in run.records("calls")} == {"openai/smollm2"}


def test_a_plain_config_negotiates_with_the_real_llama_cpp_server(tmp_path, monkeypatch):
    """Every role `openai/smollm2` + `api_base`, nothing else: llama.cpp's server refuses
    `json_schema`, the client steps down to a mode it takes, and the round is not all errors."""
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    server = Server("--model", "local", ready_timeout_s=180, log=log)
    roles = ("challenger", "verifier", "weak", "strong", "judge")
    models = {r: {"model": "openai/smollm2", "api_base": server.api_base} for r in roles}
    try:
        run = workbench.run(
            [DOC], {"models": models, "max_rounds": 1, "rollouts": 3}, out=tmp_path / "plain"
        )
    finally:
        server.stop()
        log.close()
    check_real_run(run)
    calls = run.records("calls")
    answered = [c for c in calls if not c["error"] and c["structured_output"]]
    assert answered and {c["structured_output"] for c in answered} <= {
        "json_object_schema",
        "json_object",
    }
    refused = [c for c in calls if c["error"] and c["structured_output"] == "json_schema"]
    assert len(refused) == 1, "refused once, then the working mode is remembered"
    # client = auto (the default): the probe was answered over the lean path, so is the run.
    assert {c["client"] for c in calls} == {"http"}
