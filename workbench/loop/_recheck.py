"""A stored round re-decided: its decision must be what the acceptance rule gives over its
stored scores and the run's thresholds. Pure; used to validate a run directory on resume,
report and export."""

from __future__ import annotations

from workbench.config import LoopJudge, Thresholds
from workbench.loop._acceptance import Rollouts, decide_in_order
from workbench.loop._loop_judge import forced_reasons, judged
from workbench.records import RoundRecord


def decision_problem(
    record: RoundRecord, t: Thresholds, rollouts: Rollouts, loop_judge: LoopJudge | None = None
) -> str | None:
    """What is wrong with `record`'s decision, or None when `decide_in_order` over its stored
    scores (in rollout order, as the loop decided it) gives the same decision. The planned
    rollouts are the record's own (`rollouts`), else the run's (`rollouts`: one count or
    per side).

    `loop_judge`: the run's loop-judge rules when it ran with the loop judge on (None: off).
    Then a round the thresholds accept must carry the loop judge's verdict, its `forced`
    reasons must be the rules' over its stored question and flag, and its decision is what
    that verdict gives (`judged`). A round with the loop judge off must carry none.

    An `error` round ended on a failure, not on a rule: it must carry no scores."""
    if record.decision == "error":
        if record.weak_scores or record.strong_scores:
            return "decision 'error' on a round with scores"
        return None
    quality = record.quality
    if quality is not None and quality.ok != quality.all_clear():
        return f"quality ok {quality.ok} disagrees with its own checks"
    passed = quality is None or quality.ok
    try:
        verdict, _, _ = decide_in_order(
            record.weak_scores or [],
            record.strong_scores,
            record.rollouts or rollouts,
            t,
            passed,
            quality.reason if quality is not None else "",
        )
    except ValueError:
        return f"decision {record.decision!r}, but its stored scores do not settle the round"
    problem = _loop_judge_problem(record, verdict.decision, loop_judge)
    if problem is not None:
        return problem
    if record.loop_judge is not None:
        verdict = judged(verdict, record.loop_judge)
    if verdict.decision != record.decision:
        return (
            f"decision {record.decision!r}, but the acceptance rule over its stored scores "
            f"gives {verdict.decision!r}"
        )
    return None


def _loop_judge_problem(
    record: RoundRecord, rules_decision: str, loop_judge: LoopJudge | None
) -> str | None:
    lj = record.loop_judge
    if lj is None:
        if loop_judge is not None and rules_decision == "accepted":
            return "the thresholds accept this round but it has no loop judge verdict"
        return None
    if loop_judge is None:
        return "a loop judge verdict on a run without the loop judge"
    if rules_decision != "accepted":
        return f"a loop judge verdict on a round the thresholds decide {rules_decision!r}"
    question = record.task.question if record.task else ""
    if lj.forced != forced_reasons(question, lj.case_recap, loop_judge):
        return "its loop judge's forced reasons are not the rules' over its question"
    return None


def decision_check(t: Thresholds, rollouts: Rollouts, loop_judge: LoopJudge | None = None):
    """`decision_problem` bound to a run's thresholds, rollouts and loop-judge rules (None: the
    run had no loop judge) (a records.DecisionCheck)."""
    return lambda record: decision_problem(record, t, rollouts, loop_judge)
