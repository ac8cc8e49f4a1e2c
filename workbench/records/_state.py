"""What the records say about a run's documents: examples kept, feedback history, done. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass
class RoundCount:
    """A document's rounds so far, counted as the loop counts them against `max_rounds`.

    Rounds that ended on a rule (every decision but `error`: quality, difficulty, acceptance)
    count against `max_rounds`; rounds that ended in `error` (an infrastructure failure that
    `retry.evaluations` could not get past, or a challenger or verifier that failed) do not,
    and are bounded on their own: at most `max_rounds` of them per document. So a document
    gets up to `max_rounds` real attempts however flaky the providers, and at most twice that
    many rounds in all. In baseline mode both limits are 1."""

    rounds: int = 0
    """Rounds that count against max_rounds (every decision but error)."""
    errors: int = 0
    """Rounds that ended in error."""
    accepted: bool = False
    """A round was accepted."""

    def add(self, decision: str) -> None:
        if decision == "error":
            self.errors += 1
        else:
            self.rounds += 1
        self.accepted = self.accepted or decision == "accepted"

    def done(self, limit: int) -> bool:
        """No further round: one was accepted, or `limit` rounds or `limit` error rounds ran."""
        return self.accepted or self.rounds >= limit or self.errors >= limit

    def why_done(self, limit: int) -> str:
        """Why no further round may follow (for a record that comes after it anyway)."""
        if self.accepted:
            return "after its accepted round"
        if self.rounds >= limit:
            return f"past max_rounds {limit}"
        return f"past {limit} error rounds (error rounds do not count against max_rounds)"


def round_limit(mode: str, max_rounds: int) -> int:
    """Rounds per document that count (and error rounds allowed): 1 in baseline mode."""
    return 1 if mode == "baseline" else max_rounds


def count_rounds(decisions: Iterable[str]) -> RoundCount:
    """A document's RoundCount from its rounds' decisions, in order."""
    count = RoundCount()
    for decision in decisions:
        count.add(decision)
    return count


def document_states(
    rounds: list[RoundRecord], mode: str, max_rounds: int
) -> dict[str, tuple[bool, bool, bool]]:
    """Per document with a round: (done, accepted, kept). Done: a round was accepted, or
    `max_rounds` rounds that count ran, or `max_rounds` error rounds (see RoundCount; baseline
    mode: one of either). Accepted: a round's decision is accepted. Kept: an example of it is
    in accepted.jsonl (see `keeps`)."""
    limit = round_limit(mode, max_rounds)
    counts: dict[str, RoundCount] = {}
    kept: dict[str, bool] = {}
    for r in sorted(rounds, key=lambda r: r.round):
        counts.setdefault(r.doc_id, RoundCount()).add(r.decision)
        kept[r.doc_id] = kept.get(r.doc_id, False) or keeps(r, mode)
    return {
        doc_id: (count.done(limit), count.accepted, kept[doc_id])
        for doc_id, count in counts.items()
    }
