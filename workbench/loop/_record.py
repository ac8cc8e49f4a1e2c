"""A round's record from what the round produced: scores, means, verdict and feedback line."""

from __future__ import annotations

import time

from workbench.loop._acceptance import Verdict, mean
from workbench.loop._agreement import round_agreement
from workbench.records import RoundRecord, rounded
from workbench.roles import feedback_line


def round_record(
    doc, number, env, task, quality, weak, strong, verdict, decided_after=None, retries=0
) -> RoundRecord:
    """The round's record. `weak_mean`, `strong_mean` and `gap` are over the stored scores
    (every rollout run); the verdict and its feedback line use the rollouts that settled it
    (`decided_after`), which early stopping or a too-easy weak side can make fewer. `retries`:
    the evaluation re-runs the round needed after infrastructure failures."""
    weak_scores = [a.score for a in weak] or None
    strong_scores = [a.score for a in strong] or None
    wm, sm = mean(weak_scores), mean(strong_scores)
    # Reference judging grades one verdict per answer: the panel agrees (or not) on that.
    reference = env.config.judge_mode == "reference"
    n_criteria = (1 if reference else len(task.rubric)) if task else 0
    agreement = round_agreement([*weak, *strong], n_criteria, env.config.judge_panel)
    return RoundRecord(
        doc_id=doc.id,
        parent=doc.parent,
        round=number,
        mode=env.config.mode,
        task=task.model_dump() if task else None,
        quality=quality.model_dump() | {"ok": quality.all_clear()} if quality else None,
        weak_scores=weak_scores,
        strong_scores=strong_scores,
        weak_mean=rounded(wm),
        strong_mean=rounded(sm),
        gap=None if wm is None or sm is None else rounded(sm - wm),
        p_value=rounded(verdict.p_value),
        decision=verdict.decision,
        reason=verdict.reason,
        feedback=feedback_line(
            verdict.decision,
            verdict.reason,
            verdict.weak_mean,
            verdict.strong_mean,
            verdict.gap,
            verdict.p_value,
        ),
        weak_rollouts=weak,
        strong_rollouts=strong,
        decided_after=decided_after or {"weak": len(weak), "strong": len(strong)},
        rollouts=env.config.planned_rollouts(),
        evaluation_retries=retries,
        agreement=agreement,
        low_agreement=[a.criterion for a in agreement if a.low],
        ts=time.time(),
    )


def error_record(
    doc, number, env, task, quality, weak, strong, message, raw, retries=0
) -> RoundRecord:
    """A round that could not finish: no scores, the reason, and the unusable raw output."""
    verdict = Verdict("error", message, None, None, None, None)
    record = round_record(doc, number, env, task, quality, [], [], verdict, retries=retries)
    return record.model_copy(update={"weak_rollouts": weak, "strong_rollouts": strong, "raw": raw})
