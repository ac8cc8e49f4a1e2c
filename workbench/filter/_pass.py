"""The final filter over a run's accepted examples: the free checks on each, then (for those
that pass them) a re-verification by the run's quality verifier. Returns one FilterRecord per
example; writes nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from workbench.config import RunConfig
from workbench.errors import ModelOutputError, ProviderError, StopRun
from workbench.filter._checks import (
    context_reasons,
    leak_reasons,
    measure_leak,
    rubric_problems,
    words,
)
from workbench.records import Example, FilterChecks, FilterRecord, Quality
from workbench.roles import Env, Task, verify

STAGE = "filter"
"""The `stage` of the filter's calls in calls.jsonl."""
TASK_FIELDS = ("context", "question", "reference_answer", "question_type", "skills", "rubric")


def check_example(example: Example, cfg: RunConfig) -> FilterRecord:
    """The free checks on one example (no model call): a record retained iff no reason."""
    settings = cfg.filter
    leak = measure_leak(example.context, example.question, example.reference_answer, settings)
    fields = example.model_dump(mode="json", include=set(TASK_FIELDS))
    problems = rubric_problems(fields, cfg.rubric)
    reasons = (
        leak_reasons(leak, settings)
        + context_reasons(example.context, settings)
        + [f"malformed_rubric: {p}" for p in problems]
    )
    checks = FilterChecks(
        context_chars=len(example.context.strip()),
        context_words=len(words(example.context)),
        longest_shared_words=leak.longest_shared_words,
        distinctive_words=leak.distinctive_words,
        reference_share=leak.reference_share,
        rubric_problems=problems,
    )
    return FilterRecord(
        example_id=example.id,
        doc_id=example.doc_id,
        retained=not reasons,
        reasons=reasons,
        verified=False,
        checks=checks,
        ts=round(time.time(), 3),
    )


async def reverify(env: Env, example: Example, record: FilterRecord) -> FilterRecord:
    """`record` with the quality verifier's verdict on the example's task (a failed call is a
    `verifier_error` reason; a stop of the client, StopRun, propagates)."""
    checks = record.checks.model_copy()
    reasons = list(record.reasons)
    try:
        task = Task.model_validate(example.model_dump(mode="json", include=set(TASK_FIELDS)))
        verdict = await verify(env, example.doc_id, example.round, task, stage=STAGE)
    except (ModelOutputError, ProviderError) as exc:
        checks.verifier_error = " ".join(str(exc).split())[:300]
        reasons.append(f"verifier_error: {checks.verifier_error}")
    else:
        checks.verifier = Quality(**verdict.model_dump(), ok=verdict.all_clear())
        if not checks.verifier.ok:
            why = " ".join(verdict.reason.split())[:300] or "the verifier did not pass it"
            reasons.append(f"failed_verifier: {why}")
    return record.model_copy(
        update={"checks": checks, "reasons": reasons, "retained": not reasons, "verified": True}
    )


async def filter_examples(
    examples: list[Example],
    cfg: RunConfig,
    env: Env | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[FilterRecord]:
    """Every example checked, in the order given. With `env` (and `filter.verify`), those that
    pass the free checks are re-verified, all at once (the client's limits pace the calls); an
    example already failing a free check costs no call."""
    say = progress or (lambda line: None)
    records = [check_example(e, cfg) for e in examples]
    if env is None or not cfg.filter.verify:
        return records
    todo = [i for i, r in enumerate(records) if r.retained]
    say(f"re-verifying {len(todo)} of {len(examples)} accepted examples")
    done = await asyncio.gather(
        *(reverify(env, examples[i], records[i]) for i in todo), return_exceptions=True
    )
    failed = [r for r in done if isinstance(r, BaseException)]
    if failed:  # a stop (budget, breaker, fatal provider error): every call has ended first
        raise next((f for f in failed if isinstance(f, StopRun)), failed[0])
    for i, record in zip(todo, done, strict=True):
        records[i] = record
    return records
