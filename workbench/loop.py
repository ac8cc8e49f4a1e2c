"""The orchestrator: rounds per document, weak-first gating, feedback, acceptance."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any, Protocol

from workbench.acceptance import Thresholds, decide, weak_gate
from workbench.agents import Env, attempt, challenge, verify
from workbench.docs import Document
from workbench.errors import ModelOutputError, PromptError, ProviderError
from workbench.feedback import feedback_groups, feedback_line
from workbench.schemas import Attempt, Example, RoundRecord, Task


class Sink(Protocol):
    def round(self, record: RoundRecord) -> None: ...
    def accepted(self, example: Example) -> None: ...
    def document_done(self, doc_id: str, accepted: bool) -> None: ...


async def run_documents(
    env: Env,
    thresholds: Thresholds,
    docs: Iterable[Document],
    sink: Sink,
    starts: dict[str, tuple[int, list[dict[str, Any]]]] | None = None,
) -> None:
    """Every document through the loop, several at once; calls are capped by the client.

    `starts` maps a resumed document to its next round and its earlier rounds' history."""
    pending = iter(docs)
    starts = starts or {}

    async def worker() -> None:
        for doc in pending:
            start, history = starts.get(doc.id, (1, []))
            await run_document(env, thresholds, doc, sink, start, history)

    workers = max(1, env.config.concurrency)
    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(worker())


async def run_document(
    env: Env,
    thresholds: Thresholds,
    doc: Document,
    sink: Sink,
    start_round: int = 1,
    history: list[dict[str, Any]] | None = None,
) -> None:
    """Rounds until one is accepted or `max_rounds` (one round in baseline mode)."""
    history = list(history or [])
    rounds = 1 if env.config.mode == "baseline" else env.config.max_rounds
    accepted = False
    for number in range(start_round, rounds + 1):
        record = await run_round(env, thresholds, doc, number, history)
        sink.round(record)
        example = to_example(record, env.config.mode)
        if example is not None:
            sink.accepted(example)
        history.append(history_entry(record))
        if record.decision == "accepted":
            accepted = True
            break
    sink.document_done(doc.id, accepted)


async def run_round(
    env: Env, t: Thresholds, doc: Document, number: int, history: list[dict[str, Any]]
) -> RoundRecord:
    """One challenger round: write, verify, solve weak, gate, solve strong, decide."""
    baseline = env.config.mode == "baseline"
    task: Task | None = None
    quality = None
    weak: list[Attempt] = []
    strong: list[Attempt] = []
    try:
        task = await challenge(
            env, doc.id, doc.text, number, None if baseline else feedback_groups(history)
        )
        if env.config.verify:
            quality = await verify(env, doc.id, number, task)
        passed = quality is None or quality.ok()
        reason = "" if quality is None else quality.reason
        if not passed and not baseline:
            return _record(
                doc, number, env, task, quality, weak, strong, decide(None, None, t, False, reason)
            )
        weak = await _rollouts(env, "weak", doc, number, task)
        weak_scores = [a.score for a in weak]
        if not baseline and weak_gate(weak_scores, t) is not None:
            return _record(
                doc, number, env, task, quality, weak, strong, decide(weak_scores, None, t)
            )
        strong = await _rollouts(env, "strong", doc, number, task)
        verdict = decide(weak_scores, [a.score for a in strong], t, passed, reason)
        return _record(doc, number, env, task, quality, weak, strong, verdict)
    except (ModelOutputError, ProviderError, PromptError) as exc:
        raw = getattr(exc, "raw", None)
        return _error_record(doc, number, env, task, quality, weak, strong, str(exc), raw)


async def _rollouts(env: Env, side: str, doc: Document, number: int, task: Task) -> list[Attempt]:
    jobs = [attempt(env, side, doc.id, number, task, i) for i in range(env.config.rollouts)]
    return list(await asyncio.gather(*jobs))


def _record(doc, number, env, task, quality, weak, strong, verdict) -> RoundRecord:
    return RoundRecord(
        doc_id=doc.id,
        round=number,
        mode=env.config.mode,
        task=task.model_dump() if task else None,
        quality=quality.model_dump() | {"ok": quality.ok()} if quality else None,
        weak_scores=[a.score for a in weak] or None,
        strong_scores=[a.score for a in strong] or None,
        weak_mean=_round(verdict.weak_mean),
        strong_mean=_round(verdict.strong_mean),
        gap=_round(verdict.gap),
        p_value=_round(verdict.p_value),
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
        weak_attempts=weak,
        strong_attempts=strong,
        ts=time.time(),
    )


def _error_record(doc, number, env, task, quality, weak, strong, message, raw) -> RoundRecord:
    return RoundRecord(
        doc_id=doc.id,
        round=number,
        mode=env.config.mode,
        task=task.model_dump() if task else None,
        quality=quality.model_dump() | {"ok": quality.ok()} if quality else None,
        weak_scores=None,
        strong_scores=None,
        weak_mean=None,
        strong_mean=None,
        gap=None,
        p_value=None,
        decision="error",
        reason=message,
        feedback=feedback_line("error", message, None, None, None, None),
        weak_attempts=weak,
        strong_attempts=strong,
        raw=raw,
        ts=time.time(),
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def to_example(record: RoundRecord, mode: str) -> Example | None:
    """The accepted example for a round; in baseline mode every solved task is kept."""
    keep = record.decision == "accepted" or (
        mode == "baseline" and record.strong_attempts and record.task
    )
    if not keep:
        return None
    task = record.task
    best = max(record.strong_attempts, key=lambda a: (a.score, -a.rollout))
    return Example(
        id=f"{record.doc_id}#r{record.round}",
        doc_id=record.doc_id,
        round=record.round,
        context=task["context"],
        question=task["question"],
        reference_answer=task["reference_answer"],
        question_type=task["question_type"],
        rubric=task["rubric"],
        label=best.answer,
        weak_scores=record.weak_scores,
        strong_scores=record.strong_scores,
        weak_mean=record.weak_mean,
        strong_mean=record.strong_mean,
        gap=record.gap,
        p_value=record.p_value,
        decision=record.decision,
        ts=record.ts,
    )


def history_entry(record: RoundRecord | dict[str, Any]) -> dict[str, Any]:
    """What the feedback needs from a past round (keeps per-document memory small)."""
    r = record.model_dump() if isinstance(record, RoundRecord) else record
    task = r.get("task") or {}
    return {
        "round": r["round"],
        "decision": r["decision"],
        "task": {"question": task.get("question", "")} if task else None,
        "weak_mean": r.get("weak_mean"),
        "strong_mean": r.get("strong_mean"),
        "gap": r.get("gap"),
        "p_value": r.get("p_value"),
        "reason": r.get("reason", ""),
    }
