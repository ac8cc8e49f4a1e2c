"""A run in which no round produces an outcome stops as `failing` (scripted backend)."""

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.cli._run import _finish
from workbench.config import ROLES
from workbench.engines import arun
from workbench.inputs import Document
from workbench.records import format_summary

MODELS = {r: {"model": f"openai/{r}", "api_base": "http://127.0.0.1:9"} for r in ROLES}


def config(**kw):
    return {"models": MODELS, "cache": {"enabled": False}, "max_rounds": 20, **kw}


def docs():
    return [Document("d", "Some document text.", "mem")]


def test_consecutive_error_rounds_stop_the_run_as_failing_and_it_resumes(tmp_path, capsys):
    fake = FakeBackend()
    fake.enqueue(*["no json here"] * 40, model="openai/challenger")
    cfg = config(circuit_breaker={"max_error_rounds": 3})
    run = run_async(arun(docs(), cfg, out=tmp_path / "r", backend=fake))
    s = run.summary
    assert s["status"] == "failing" and s["rounds"] == 3 and s["decisions"]["error"] == 3
    assert "3 rounds in a row ended in error" in s["stop_reason"]
    assert "unusable output" in s["stop_reason"] and "\n" not in s["stop_reason"]
    assert _finish(run, format_summary) == 3
    err = capsys.readouterr().err
    assert "workbench: stopped (failing):" in err and f"--resume {run.dir}" in err
    # Resumable: once the endpoint answers, the document goes on from round 4, for 20 rounds
    # that count (error rounds do not count against max_rounds).
    task = (
        '{"context": "ctx", "question": "q?", "reference_answer": "ref", "question_type": "t",'
        ' "rubric": [{"criterion": "A", "weight": 3}, {"criterion": "B", "weight": 1}]}'
    )
    good = FakeBackend()
    good.enqueue(*[task] * 20, model="openai/challenger")
    good.enqueue(*['{"passed": false, "reason": "leaks"}'] * 20, model="openai/verifier")
    run = run_async(arun(docs(), resume=run.dir, backend=good))
    rounds = run.records("rounds")
    assert run.summary["status"] == "complete"
    assert [r["round"] for r in rounds] == list(range(1, 24))
    assert {r["decision"] for r in rounds[3:]} == {"failed_quality"}


def test_an_outcome_resets_the_count(tmp_path):
    fake = FakeBackend()
    task = (
        '{"context": "ctx", "question": "q?", "reference_answer": "ref", "question_type": "t",'
        ' "rubric": [{"criterion": "A", "weight": 3}, {"criterion": "B", "weight": 1}]}'
    )
    bad = ["no json", "still none"]
    fake.enqueue(*bad, *bad, task, *bad, *bad, model="openai/challenger")
    fake.enqueue('{"passed": false, "reason": "leaks"}', model="openai/verifier")
    # max_rounds 4: the document ends at its 4th error round (error rounds are bounded apart).
    cfg = config(max_rounds=4, circuit_breaker={"max_error_rounds": 3})
    run = run_async(arun(docs(), cfg, out=tmp_path / "r", backend=fake))
    assert run.summary["status"] == "complete"
    assert [r["decision"] for r in run.records("rounds")].count("error") == 4
