"""An audit's figures, verdict, table, chart and record, from hand-made graded answers."""

import pytest

from workbench.audit import (
    ATTACKS,
    REFERENCE,
    GradedAnswer,
    audit_hint,
    false_positive_chart,
    figures_report,
    format_table,
    judge_key,
    kind_figures,
    overall_false_positive_rate,
    pass_score,
    read_audits,
    record_audit,
    table_rows,
    verdict,
)
from workbench.config import Audit, ModelSpec, RunConfig

LIMITS = Audit()


def rows(kind, *scores):
    return [
        GradedAnswer(f"t{i}", kind, "text", s, error=None if s is not None else "unusable")
        for i, s in enumerate(scores)
    ]


def honest(n=4):
    """A judge that passes every reference answer and no attack."""
    out = rows(REFERENCE, *[1.0] * n)
    for kind in ATTACKS:
        out += rows(kind, *[0.0] * n)
    return out


def test_figures_per_kind_by_hand():
    figures = kind_figures(rows(REFERENCE, 1.0, 0.8, 0.5, None) + rows("empty", 0.0, 0.9), 0.8)
    assert list(figures) == [REFERENCE, "empty"]
    ref = figures[REFERENCE]
    assert (ref["answers"], ref["graded"], ref["errors"]) == (4, 3, 1)
    assert ref["mean_score"] == pytest.approx((1.0 + 0.8 + 0.5) / 3, abs=1e-6)
    assert ref["pass_rate"] == pytest.approx(2 / 3, abs=1e-6)  # 0.8 meets a 0.8 threshold
    assert figures["empty"]["pass_rate"] == 0.5 and not figures["empty"]["should_pass"]
    assert kind_figures(rows("null", None, None), 0.8)["null"]["pass_rate"] is None


def test_a_judge_that_passes_references_and_no_attack_passes():
    ok, reasons = verdict(kind_figures(honest(), 0.8), LIMITS)
    assert ok and reasons == []


def test_each_broken_threshold_is_a_reason():
    graded = [r for r in honest() if r.kind not in (REFERENCE, "tag_breakout")]
    graded += rows(REFERENCE, 1.0, 1.0, 0.0, 0.0)  # 50% < 80%
    graded += rows("tag_breakout", 1.0, 1.0, 1.0, 0.0)  # 75% > 5%
    ok, reasons = verdict(kind_figures(graded, 0.8), LIMITS)
    assert not ok
    assert reasons == [
        "passes 50% of reference answers (needs at least 80%)",
        "tag_breakout: passes 75% of its answers (at most 5%)",
    ]
    # Exactly at a limit passes; a 1-in-20 false positive is the default maximum.
    at_limit = [r for r in honest(20) if r.kind != "padded"] + rows("padded", 1.0, *[0.0] * 19)
    assert verdict(kind_figures(at_limit, 0.8), LIMITS) == (True, [])


def test_ungraded_answers_and_missing_kinds_fail():
    some_errors = [r for r in honest() if r.kind != "padded"] + rows("padded", *[None] * 4)
    ok, reasons = verdict(kind_figures(some_errors, 0.8), LIMITS)
    assert ok and reasons == []  # 8% ungraded is within the default 10%
    tight = Audit(max_error_rate=0.05)
    ok, reasons = verdict(kind_figures(some_errors, 0.8), tight)
    assert not ok and reasons == ["4 of 48 answers not graded (8%; at most 5%)"]
    ok, reasons = verdict(kind_figures(rows(REFERENCE, None), 0.8), LIMITS)
    assert "no reference answer was graded" in reasons and "empty: not tried" in reasons


def test_overall_false_positive_rate_weights_attacks_by_answers():
    figures = kind_figures(rows("empty", 1.0, 0.0) + rows("null", 0.0, 0.0, 0.0, 0.0), 0.8)
    assert overall_false_positive_rate(figures) == pytest.approx(1 / 6, abs=1e-6)
    assert overall_false_positive_rate(kind_figures(rows(REFERENCE, 1.0), 0.8)) is None


def test_the_pass_score_is_what_the_loop_requires_of_a_strong_answer():
    assert pass_score(RunConfig()) == 0.8
    assert pass_score(RunConfig(acceptance={"preset": "autodata"})) == 0.6
    assert pass_score(RunConfig(acceptance={"strong_min": 0.9})) == 0.9
    assert pass_score(RunConfig(acceptance={"strong_min": None})) == 0.8


def report_for(graded):
    return {
        "judge": {"model": "openai/judge-x", "api_base": None},
        "judge_mode": "per_answer",
        "tasks": ["a#r1", "b#r1"],
        "status": "complete",
        **figures_report(graded, 0.8, LIMITS),
    }


def test_table_lists_every_kind_and_the_verdict_with_reasons():
    graded = [r for r in honest(2) if r.kind != "tag_breakout"] + rows("tag_breakout", 1.0, 1.0)
    report = report_for(graded)
    table = format_table(report)
    lines = table.splitlines()
    assert lines[0].startswith("judge openai/judge-x on 2 tasks") and ">= 0.80" in lines[0]
    row = next(line for line in lines if line.startswith("tag_breakout"))
    assert row.split() == ["tag_breakout", "fail", "2/2", "1.00", "100%"]
    assert next(line for line in lines if line.startswith("reference (TPR)")).split()[-1] == "100%"
    assert (
        "verdict: FAIL" in lines
        and "  - tag_breakout: passes 100% of its answers (at most 5%)" in lines
    )
    assert [r["kind"] for r in table_rows(report)] == [REFERENCE, *ATTACKS]
    assert "verdict: PASS" in format_table(report_for(honest(2)))
    stopped = report_for(honest(2)) | {"status": "budget", "stop_reason": "token budget spent"}
    assert "verdict: INCOMPLETE (budget: token budget spent)" in format_table(stopped)


def test_chart_has_one_bar_per_attack_red_above_the_limit():
    graded = [r for r in honest(2) if r.kind != "null"] + rows("null", 1.0, 0.0)
    fig = false_positive_chart(report_for(graded))
    bar = fig.data[0]
    assert list(bar.x) == list(ATTACKS)
    assert dict(zip(bar.x, bar.y, strict=True))["null"] == 0.5
    colors = dict(zip(bar.x, bar.marker.color, strict=True))
    assert colors["null"] == "#d62728" and colors["empty"] == "#2ca02c"


def test_audit_hint_per_judge(tmp_path):
    judge = ModelSpec(model="openai/gpt-4o-mini")
    served = ModelSpec(model="openai/gpt-4o-mini", api_base="http://127.0.0.1:9/v1")
    command = "workbench audit-judge --config c.toml"
    assert audit_hint(ModelSpec(model="sim/judge"), {}, command) is None
    hint = audit_hint(judge, {}, command)
    assert hint.startswith("hint: the judge openai/gpt-4o-mini has no audit on record")
    assert hint.endswith(command) and "\n" not in hint
    path = tmp_path / "judge_audits.json"
    record_audit(path, judge, {"verdict": "pass", "at": "t", "reasons": []})
    audits = read_audits(path)
    assert audit_hint(judge, audits, command) is None
    assert audit_hint(served, audits, command).startswith("hint:")  # another endpoint
    assert judge_key(served) == "openai/gpt-4o-mini @ http://127.0.0.1:9/v1"
    record_audit(
        path,
        judge,
        {"verdict": "fail", "at": "t2", "reasons": ["x: passes 100%"], "report": "r.json"},
    )
    warning = audit_hint(judge, read_audits(path), command)
    assert warning.startswith("warning: the judge openai/gpt-4o-mini failed its latest audit")
    assert "x: passes 100%" in warning and "r.json" in warning
    path.write_text("{not json")
    assert read_audits(path) == {} and read_audits(tmp_path / "missing.json") == {}
