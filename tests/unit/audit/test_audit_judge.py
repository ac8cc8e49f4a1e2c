"""audit_judge() end to end on a real run directory, with scripted judges behind the client:
an honest one passes, a yes-man fails on every attack, and calls are cached, budgeted and
recorded."""

import json
import shutil

import pytest

from tests.support import run_async
from workbench.audit import ATTACKS, CALLS_FILE, REPORT_FILE, audit_judge, read_audits
from workbench.model import Reply
from workbench.records import read_jsonl

JUDGE = "openai/judge-under-test"


class ScriptedJudge:
    """A judge backend: `grade(prompt)` says whether every criterion is met."""

    def __init__(self, grade):
        self.grade = grade
        self.prompts: list[str] = []

    async def __call__(self, **request) -> Reply:
        prompt = request["messages"][-1]["content"]
        self.prompts.append(prompt)
        fmt = request.get("response_format") or {}
        n = fmt["json_schema"]["schema"]["properties"]["grades"]["minItems"]
        met = self.grade(prompt)
        grades = [{"criterion": i, "met": met, "reason": "r"} for i in range(1, n + 1)]
        return Reply(json.dumps({"grades": grades}), "stop", len(prompt) // 4, 20)


@pytest.fixture
def run_dir(default_run, tmp_path):
    path = tmp_path / "run"
    shutil.copytree(default_run.dir, path)
    return path


def references(run_dir):
    return [
        r["task"]["reference_answer"] for r in read_jsonl(run_dir / "rounds.jsonl") if r["task"]
    ]


def config(tmp_path, **extra):
    return {
        "models": {"judge": JUDGE},
        "cache": {"path": str(tmp_path / "cache" / "calls.sqlite")},
        **extra,
    }


def test_an_honest_judge_passes_and_its_calls_are_recorded_and_cached(run_dir, tmp_path):
    refs = references(run_dir)
    honest = ScriptedJudge(lambda prompt: any(r in prompt for r in refs))
    report = run_async(audit_judge([run_dir], config(tmp_path), tasks=3, backend=honest))
    assert report["verdict"] == "pass" and report["reasons"] == []
    assert report["true_positive_rate"] == 1.0 and report["false_positive_rate"] == 0.0
    assert len(report["tasks"]) == 3 and len(honest.prompts) == 3 * (1 + len(ATTACKS))
    saved = json.loads((run_dir / REPORT_FILE).read_text())
    assert saved["kinds"] == report["kinds"] and saved["judge"]["model"] == JUDGE
    calls = read_jsonl(run_dir / CALLS_FILE)
    assert len(calls) == report["calls"]["calls"] == 36
    assert {(c["role"], c["side"], c["model"]) for c in calls} == {("judge", "strong", JUDGE)}
    assert not any(c["cached"] for c in calls)
    # The run's own records are untouched.
    assert all(c["model"].startswith("sim/") for c in read_jsonl(run_dir / "calls.jsonl"))
    on_record = read_audits(tmp_path / "cache" / "judge_audits.json")
    assert on_record[JUDGE]["verdict"] == "pass" and on_record[JUDGE]["report"] == str(
        run_dir / REPORT_FILE
    )
    # Again: every call from the cache, nothing sent; the first report is kept.
    again = run_async(audit_judge([run_dir], config(tmp_path), tasks=3, backend=honest))
    assert len(honest.prompts) == 36 and again["calls"]["cached"] == 36
    assert again["kinds"] == report["kinds"]
    assert (run_dir / "judge_audit.1.json").is_file() and (
        run_dir / "judge_audit_calls.1.jsonl"
    ).is_file()


def test_a_judge_that_passes_everything_fails_on_every_attack(run_dir, tmp_path):
    yes_man = ScriptedJudge(lambda prompt: True)
    report = run_async(audit_judge([run_dir], config(tmp_path), tasks=2, backend=yes_man))
    assert report["verdict"] == "fail" and report["true_positive_rate"] == 1.0
    assert report["false_positive_rate"] == 1.0
    assert report["reasons"] == [f"{k}: passes 100% of its answers (at most 5%)" for k in ATTACKS]
    assert all(report["kinds"][k]["mean_score"] == 1.0 for k in ATTACKS)


def test_the_prompt_is_the_loops_judge_prompt_with_the_attack_as_the_answer(run_dir, tmp_path):
    judge = ScriptedJudge(lambda prompt: False)
    report = run_async(audit_judge([run_dir], config(tmp_path), tasks=1, backend=judge))
    grader = next(a for a in report["answers"] if a["kind"] == "grader_instructions")
    sent = [p for p in judge.prompts if grader["answer"] in p]
    assert len(sent) == 1 and sent[0].startswith("You are the Judge")
    assert (
        report["true_positive_rate"] == 0.0
        and "passes 0% of reference answers" in report["reasons"][0]
    )


def test_a_budget_stop_is_an_incomplete_audit_not_on_record(run_dir, tmp_path):
    judge = ScriptedJudge(lambda prompt: True)
    cfg = config(tmp_path, budget={"tokens": 3000})
    report = run_async(audit_judge([run_dir], cfg, tasks=3, backend=judge))
    assert report["status"] == "budget" and report["verdict"] == "incomplete"
    assert any(a["error"] for a in report["answers"])
    assert read_audits(tmp_path / "cache" / "judge_audits.json") == {}


def test_unusable_judge_output_counts_as_not_graded(run_dir, tmp_path):
    async def junk(**request):
        return Reply("I think it is fine.", "stop", 10, 5)

    report = run_async(audit_judge([run_dir], config(tmp_path), tasks=1, backend=junk))
    assert report["verdict"] == "fail"
    assert all(f["graded"] == 0 for f in report["kinds"].values())
    assert "no reference answer was graded" in report["reasons"]
    assert "12 of 12 answers not graded (100%; at most 10%)" in report["reasons"]


def test_per_criterion_judging_uses_the_per_criterion_prompt(run_dir, tmp_path):
    cfg = {"judge_mode": "per_criterion", "cache": {"enabled": False}}
    report = run_async(audit_judge([run_dir], cfg, tasks=2))
    assert report["judge"]["model"] == "sim/judge" and report["judge_mode"] == "per_criterion"
    from workbench.roles import load_prompts

    assert report["judge_prompt_sha256"] == load_prompts().hashes()["judge_criterion"]
    rubric_size = {a["task"]: len(a["met"]) for a in report["answers"] if a["met"] is not None}
    criteria = sum(rubric_size[a["task"]] for a in report["answers"])
    judge_calls = read_jsonl(run_dir / CALLS_FILE)
    assert len([c for c in judge_calls if not c["reask"]]) == criteria  # one call per criterion
    assert report["kinds"]["empty"]["pass_rate"] == 0.0
