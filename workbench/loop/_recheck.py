"""A stored round re-decided: its decision must be what the acceptance rule gives over its
stored scores and the run's thresholds. Pure; used to validate a run directory on resume,
report and export."""

from __future__ import annotations

from workbench.config import Thresholds
from workbench.loop._acceptance import Rollouts, decide_in_order
from workbench.records import RoundRecord


def decision_problem(record: RoundRecord, t: Thresholds, rollouts: Rollouts) -> str | None:
    """What is wrong with `record`'s decision, or None when `decide_in_order` over its stored
    scores (in rollout order, as the loop decided it) gives the same decision. The planned
    rollouts are the record's own (`rollouts`), else the run's (`rollouts`: one count or
    per side).

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
    if verdict.decision != record.decision:
        return (
            f"decision {record.decision!r}, but the acceptance rule over its stored scores "
            f"gives {verdict.decision!r}"
        )
    return None


def decision_check(t: Thresholds, rollouts: Rollouts):
    """`decision_problem` bound to a run's thresholds and rollouts (a records.DecisionCheck)."""
    return lambda record: decision_problem(record, t, rollouts)
