"""What the records say about a run's documents: examples kept, feedback history, done. Pure."""

from __future__ import annotations

from statistics import fmean
from typing import Any

from workbench.records._types import Example, RoundRecord


def _mean(scores: list[float] | None) -> float | None:
    return fmean(scores) if scores else None


def rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def to_example(record: RoundRecord, mode: str) -> Example | None:
    """The accepted example for a round; in baseline mode every solved task is kept."""
    # An error round keeps its rollouts but has no scores: nothing to keep.
    keep = record.decision == "accepted" or (
        mode == "baseline" and record.strong_scores and record.weak_scores and record.task
    )
    if not keep:
        return None
    task = record.task
    best = max(record.strong_rollouts, key=lambda a: (a.score, -a.rollout))
    return Example(
        id=f"{record.doc_id}#r{record.round}",
        doc_id=record.doc_id,
        round=record.round,
        context=task.context,
        question=task.question,
        reference_answer=task.reference_answer,
        question_type=task.question_type,
        rubric=task.rubric,
        label=best.answer,
        weak_scores=record.weak_scores,
        strong_scores=record.strong_scores,
        # Over every rollout run (in baseline mode a too-easy round's verdict uses fewer).
        weak_mean=round(fmean(record.weak_scores), 6),
        strong_mean=round(fmean(record.strong_scores), 6),
        gap=round(fmean(record.strong_scores) - fmean(record.weak_scores), 6),
        p_value=record.p_value,
        decision=record.decision,
        ts=record.ts,
    )


def history_entry(record: RoundRecord | dict[str, Any]) -> dict[str, Any]:
    """What the feedback needs from a past round (keeps per-document memory small).

    Its statistics are the verdict's: over the rollouts that settled the round, so the
    challenger's feedback is the same whether or not later rollouts were run."""
    r = record.model_dump() if isinstance(record, RoundRecord) else record
    task = r.get("task") or {}
    wm, sm, gap = decided_means(r)
    return {
        "round": r["round"],
        "decision": r["decision"],
        "task": {"question": task.get("question", "")} if task else None,
        "weak_mean": wm,
        "strong_mean": sm,
        "gap": gap,
        "p_value": r.get("p_value"),
        "reason": r.get("reason", ""),
    }


def decided_means(r: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """Weak mean, strong mean and gap over the first `decided_after` rollouts of each side
    (the stored means when a record has no `decided_after`)."""
    after = r.get("decided_after")
    if not after:
        return r.get("weak_mean"), r.get("strong_mean"), r.get("gap")
    wm = _mean((r.get("weak_scores") or [])[: after.get("weak", 0)])
    sm = _mean((r.get("strong_scores") or [])[: after.get("strong", 0)])
    gap = None if wm is None or sm is None else sm - wm
    return rounded(wm), rounded(sm), rounded(gap)


def document_states(
    rounds: list[dict[str, Any]], baseline: bool, max_rounds: int
) -> dict[str, tuple[bool, bool]]:
    """Per document with a round: (done, kept). Done: a round was accepted, or it reached
    `max_rounds` (baseline mode: its one round). Kept: it has an accepted example (baseline
    mode: its round was solved by the strong side, so its task was kept)."""
    last_round = 1 if baseline else max_rounds
    states: dict[str, tuple[bool, bool]] = {}
    for r in rounds:
        done, kept = states.get(r["doc_id"], (False, False))
        accepted = r["decision"] == "accepted"
        kept = kept or accepted or (baseline and bool(r.get("strong_scores")))
        done = done or accepted or r["round"] >= last_round
        states[r["doc_id"]] = (done, kept)
    return states
