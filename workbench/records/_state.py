"""What the records say about a run's documents: examples kept, feedback history, done. Pure."""

from __future__ import annotations

from statistics import fmean
from typing import Any

from workbench.records._types import Example, RoundRecord


def mean(scores: list[float] | None) -> float | None:
    """The mean of a side's scores (None when it has none)."""
    return fmean(scores) if scores else None


def rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def keeps(record: RoundRecord, mode: str) -> bool:
    """Whether a round's example is written to accepted.jsonl: it was accepted, or (baseline
    mode) the strong side solved its task, which is kept whatever the decision."""
    # An error round keeps its rollouts but has no scores: nothing to keep.
    return record.decision == "accepted" or bool(
        mode == "baseline" and record.strong_scores and record.weak_scores and record.task
    )


def to_example(record: RoundRecord, mode: str) -> Example | None:
    """The example a round writes to accepted.jsonl (see `keeps`), or None."""
    if not keeps(record, mode):
        return None
    task = record.task
    best = max(record.strong_rollouts, key=lambda a: (a.score, -a.rollout))
    return Example(
        id=f"{record.doc_id}#r{record.round}",
        doc_id=record.doc_id,
        parent=record.parent,
        round=record.round,
        context=task.context,
        question=task.question,
        reference_answer=task.reference_answer,
        question_type=task.question_type,
        skills=task.skills,
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
        repairs=record.repairs,
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
    wm = mean((r.get("weak_scores") or [])[: after.get("weak", 0)])
    sm = mean((r.get("strong_scores") or [])[: after.get("strong", 0)])
    gap = None if wm is None or sm is None else sm - wm
    return rounded(wm), rounded(sm), rounded(gap)


def document_states(
    rounds: list[RoundRecord], mode: str, max_rounds: int
) -> dict[str, tuple[bool, bool, bool]]:
    """Per document with a round: (done, accepted, kept). Done: a round was accepted, or it
    reached `max_rounds` (baseline mode: its one round). Accepted: a round's decision is
    accepted. Kept: an example of it is in accepted.jsonl (see `keeps`)."""
    last_round = 1 if mode == "baseline" else max_rounds
    states: dict[str, tuple[bool, bool, bool]] = {}
    for r in rounds:
        done, accepted, kept = states.get(r.doc_id, (False, False, False))
        accepted = accepted or r.decision == "accepted"
        kept = kept or keeps(r, mode)
        done = done or r.decision == "accepted" or r.round >= last_round
        states[r.doc_id] = (done, accepted, kept)
    return states
