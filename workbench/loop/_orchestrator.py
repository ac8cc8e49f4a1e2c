"""The orchestrator: rounds per document, weak-first gating, feedback, acceptance."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from workbench.config import Thresholds
from workbench.errors import ModelOutputError, PromptError, ProviderError
from workbench.inputs import Document
from workbench.loop._acceptance import (
    Verdict,
    decide_in_order,
    first_settled,
    mean,
    strong_settled,
    weak_settled,
)
from workbench.loop._steps import rollout
from workbench.records import Example, Rollout, RoundRecord, history_entry, rounded, to_example
from workbench.roles import Env, Task, challenge, feedback_groups, feedback_line, verify


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
    rounds: RoundRunner | None = None,
) -> None:
    """Every document through the loop, several at once; calls are capped by the client.

    `starts` maps a resumed document to its next round and its earlier rounds' history;
    `rounds` runs one round somewhere else (the Ray engine) instead of in this process."""
    pending = iter(docs)
    starts = starts or {}
    runner = rounds or (
        lambda doc, number, history: run_round(env, thresholds, doc, number, history)
    )

    async def worker() -> None:
        for doc in pending:
            start, history = starts.get(doc.id, (1, []))
            await run_document(env, doc, sink, runner, start, history)

    # Twice as many documents in flight as calls allowed: with early stopping a document
    # often has a single call in flight, and the semaphore must stay full.
    workers = max(1, 2 * env.config.concurrency)
    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(worker())


RoundRunner = Callable[[Document, int, list[dict[str, Any]]], Awaitable[RoundRecord]]


async def run_document(
    env: Env,
    doc: Document,
    sink: Sink,
    runner: RoundRunner,
    start_round: int = 1,
    history: list[dict[str, Any]] | None = None,
) -> None:
    """Rounds until one is accepted or `max_rounds` (one round in baseline mode)."""
    history = list(history or [])
    rounds = 1 if env.config.mode == "baseline" else env.config.max_rounds
    kept = False  # an accepted example (in baseline mode: a kept task)
    for number in range(start_round, rounds + 1):
        record = await runner(doc, number, history)
        sink.round(record)
        example = to_example(record, env.config.mode)
        if example is not None:
            sink.accepted(example)
            kept = True
        history.append(history_entry(record))
        if record.decision == "accepted":
            break
    sink.document_done(doc.id, kept)


async def run_round(
    env: Env, t: Thresholds, doc: Document, number: int, history: list[dict[str, Any]]
) -> RoundRecord:
    """One challenger round: write, verify, solve weak, gate, solve strong, decide.

    With `efficiency.gating` (default) a failed verification or a too-easy weak
    side ends the round before any further call; with `efficiency.early_stop`
    (default) rollouts are launched in waves and no more are launched once the
    outcome is settled. Either way the verdict is the same (`decide_in_order`).
    """
    cfg = env.config
    k = cfg.rollouts
    full = cfg.mode == "baseline" or not cfg.efficiency.gating  # solve everything, every round
    early = cfg.efficiency.early_stop and not full
    task: Task | None = None
    quality = None
    weak: list[Rollout] = []
    strong: list[Rollout] = []
    try:
        feedback = None if cfg.mode == "baseline" else feedback_groups(history)
        task = await challenge(env, doc.id, doc.text, number, feedback)
        if cfg.verify:
            quality = await verify(env, doc.id, number, task)
        passed = quality is None or quality.all_clear()
        reason = "" if quality is None else quality.reason
        plan = waves(k) if early else [k]
        if passed or full:
            settle = (lambda p: weak_settled(p, k, t)) if passed else _already_decided
            weak = await _rollouts(env, "weak", doc, number, task, settle, plan)
        weak_scores = [a.score for a in weak]
        weak_fails = first_settled(weak_scores, lambda p: weak_settled(p, k, t)) is not None
        if (passed and not weak_fails) or full:
            wm = sum(weak_scores) / len(weak_scores) if weak_scores else 0.0
            settle = (
                (lambda p: strong_settled(p, k, wm, t))
                if passed and not weak_fails
                else _already_decided
            )
            strong = await _rollouts(env, "strong", doc, number, task, settle, plan)
        verdict, m, n = decide_in_order(
            weak_scores, [a.score for a in strong] or None, k, t, passed, reason
        )
        return _record(
            doc, number, env, task, quality, weak, strong, verdict, {"weak": m, "strong": n}
        )
    except (ModelOutputError, ProviderError, PromptError) as exc:
        raw = getattr(exc, "raw", None)
        return _error_record(doc, number, env, task, quality, weak, strong, str(exc), raw)


def _already_decided(prefix: list[float]) -> str:
    """For rollouts whose outcome cannot change the verdict (naive mode solves them anyway)."""
    return "decided without these rollouts"


def waves(rollouts: int) -> list[int]:
    """Rollouts launched per wave when stopping early: one, one, then the rest together."""
    sizes = [1] * min(rollouts, 2)
    return sizes + ([rollouts - 2] if rollouts > 2 else [])


async def _rollouts(
    env: Env, side: str, doc: Document, number: int, task: Task, settle, plan: list[int]
) -> list[Rollout]:
    """Rollouts launched wave by wave (`plan`), stopping once `settle` says the side's outcome
    is fixed. A failed rollout only fails the round if the rollouts before it do not settle it."""
    done: list[Rollout] = []
    for size in plan:
        start = len(done)
        jobs = [rollout(env, side, doc.id, number, task, i) for i in range(start, start + size)]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        if failure is not None and not isinstance(
            failure, ModelOutputError | ProviderError | PromptError
        ):
            raise failure
        for r in results:
            if isinstance(r, BaseException):
                break
            done.append(r)
        settled = first_settled([a.score for a in done], settle) is not None
        if failure is not None and not settled:
            raise failure
        if settled or failure is not None:
            break
    return done


def _record(
    doc, number, env, task, quality, weak, strong, verdict, decided_after=None
) -> RoundRecord:
    """The round's record. `weak_mean`, `strong_mean` and `gap` are over the stored scores
    (every rollout run); the verdict and its feedback line use the rollouts that settled it
    (`decided_after`), which early stopping or a too-easy weak side can make fewer."""
    weak_scores = [a.score for a in weak] or None
    strong_scores = [a.score for a in strong] or None
    wm, sm = mean(weak_scores), mean(strong_scores)
    return RoundRecord(
        doc_id=doc.id,
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
        ts=time.time(),
    )


def _error_record(doc, number, env, task, quality, weak, strong, message, raw) -> RoundRecord:
    """A round that could not finish: no scores, the reason, and the unusable raw output."""
    verdict = Verdict("error", message, None, None, None, None)
    record = _record(doc, number, env, task, quality, [], [], verdict)
    return record.model_copy(update={"weak_rollouts": weak, "strong_rollouts": strong, "raw": raw})
