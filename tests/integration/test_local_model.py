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
