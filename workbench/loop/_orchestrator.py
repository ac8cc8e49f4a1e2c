"""The orchestrator: rounds per document, weak-first gating, feedback, acceptance."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from workbench.config import Thresholds
from workbench.errors import ModelOutputError, PromptError, ProviderError
from workbench.inputs import Document
from workbench.loop._acceptance import (
    decide_in_order,
    first_settled,
    strong_settled,
    weak_settled,
)
from workbench.loop._record import error_record, round_record
from workbench.loop._steps import Retries, already_decided, side_rollouts, waves
from workbench.records import (
    Example,
    Rollout,
    RoundRecord,
    count_rounds,
    history_entry,
    round_limit,
    to_example,
)
from workbench.roles import Env, Task, challenge, feedback_groups, verify


class Sink(Protocol):
    def round(self, record: RoundRecord) -> None: ...
    def accepted(self, example: Example) -> None: ...
    def document_done(self, doc_id: str, accepted: bool, kept: bool) -> None: ...


DOCUMENTS_PER_SLOT = 8
"""Documents in flight per call slot (`concurrency`). A document has one call in flight most of
the time (early stopping, the weak-first gate), so the slots need more documents than slots to
stay full; and when the last documents are started, the ones still running must hold enough
work to keep every slot busy while they finish, not leave a tail of a few long documents with
the slots idle. Twice the slots left a tail of about one document's length (0.81 x C/L at
C = 64 over 500 documents); eight keeps the slots full to within a few calls of the end
(0.88). Each document in flight holds only its history and the request it waits to send."""


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

    workers = max(1, DOCUMENTS_PER_SLOT * env.config.concurrency)
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
    """Rounds until one is accepted or `max_rounds` rounds count (one in baseline mode).

    An `error` round does not count against `max_rounds`; error rounds are bounded apart, at
    most `max_rounds` per document (`records.RoundCount`, which resume counts with too)."""
    history = list(history or [])
    limit = round_limit(env.config.mode, env.config.max_rounds)
    count = count_rounds(h["decision"] for h in history)
    kept = False  # an example written (baseline: a kept task)
    number = start_round
    while not count.done(limit):
        record = await runner(doc, number, history)
        sink.round(record)
        example = to_example(record, env.config.mode)
        if example is not None:
            sink.accepted(example)
            kept = True
        history.append(history_entry(record))
        count.add(record.decision)
        number += 1
    sink.document_done(doc.id, count.accepted, kept)


async def run_round(
    env: Env, t: Thresholds, doc: Document, number: int, history: list[dict[str, Any]]
) -> RoundRecord:
    """One challenger round: write, verify, solve weak, gate, solve strong, decide.

    With `efficiency.gating` (default) a failed verification or a too-easy weak
    side ends the round before any further call; with `efficiency.early_stop`
    (default) rollouts are launched in waves and no more are launched once the
    outcome is settled. Either way the verdict is the same (`decide_in_order`).
    Each side runs its own planned rollouts (`weak_rollouts`, `strong_rollouts`). An
    infrastructure failure while solving or judging re-runs the failed evaluation on the same
    task (`retry.evaluations`) before the round ends as `error`.
    """
    cfg = env.config
    planned = cfg.planned_rollouts()
    kw, ks = planned["weak"], planned["strong"]
    full = cfg.mode == "baseline" or not cfg.efficiency.gating  # solve everything, every round
    early = cfg.efficiency.early_stop and not full
    task: Task | None = None
    quality = None
    weak: list[Rollout] = []
    strong: list[Rollout] = []
    retries = Retries(cfg.retry.evaluations)
    try:
        feedback = None if cfg.mode == "baseline" else feedback_groups(history)
        task = await challenge(env, doc.id, doc.text, number, feedback)
        if cfg.verify:
            quality = await verify(env, doc.id, number, task)
        passed = quality is None or quality.all_clear()
        reason = "" if quality is None else quality.reason
        if passed or full:
            settle = (lambda p: weak_settled(p, kw, t)) if passed else already_decided
            plan = waves(kw) if early else [kw]
            weak = await side_rollouts(env, "weak", doc, number, task, settle, plan, retries)
        weak_scores = [a.score for a in weak]
        weak_fails = first_settled(weak_scores, lambda p: weak_settled(p, kw, t)) is not None
        if (passed and not weak_fails) or full:
            wm = sum(weak_scores) / len(weak_scores) if weak_scores else 0.0
            settle = (
                (lambda p: strong_settled(p, ks, wm, t))
                if passed and not weak_fails
                else already_decided
            )
            plan = waves(ks) if early else [ks]
            strong = await side_rollouts(env, "strong", doc, number, task, settle, plan, retries)
        verdict, m, n = decide_in_order(
            weak_scores, [a.score for a in strong] or None, planned, t, passed, reason
        )
        return round_record(
            doc,
            number,
            env,
            task,
            quality,
            weak,
            strong,
            verdict,
            {"weak": m, "strong": n},
            retries.used,
        )
    except (ModelOutputError, ProviderError, PromptError) as exc:
        raw = getattr(exc, "raw", None)
        message = str(exc) + retries.note()
        return error_record(
            doc, number, env, task, quality, weak, strong, message, raw, retries.used
        )
