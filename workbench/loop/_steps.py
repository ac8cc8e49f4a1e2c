"""A side's rollouts: a solver answers and the judge grades, in waves that stop once the
side's outcome is settled (early stopping)."""

from __future__ import annotations

import asyncio

from workbench.errors import ModelOutputError, PromptError, ProviderError
from workbench.inputs import Document
from workbench.loop._acceptance import first_settled
from workbench.records import Rollout
from workbench.roles import Env, Task, answer_score, judge, raw_score, solve


async def rollout(env: Env, side: str, doc_id: str, rnd: int, task: Task, index: int) -> Rollout:
    """One rollout: the solver answers, the judge grades."""
    answer = await solve(env, side, doc_id, rnd, task, index)
    met, flags, panel = await judge(env, side, doc_id, rnd, task, answer, index)
    weights = [c.weight for c in task.rubric]
    return Rollout(
        side=side,
        rollout=index,
        answer=answer,
        met=met,
        raw_score=round(raw_score(weights, met), 6),
        score=round(answer_score(weights, met), 6),
        flags=flags,
        panel=[{"judge": model, "met": credits} for model, credits in panel],
    )


def already_decided(prefix: list[float]) -> str:
    """For rollouts whose outcome cannot change the verdict (naive mode solves them anyway)."""
    return "decided without these rollouts"


def waves(rollouts: int) -> list[int]:
    """Rollouts launched per wave when stopping early: one, one, then the rest together."""
    sizes = [1] * min(rollouts, 2)
    return sizes + ([rollouts - 2] if rollouts > 2 else [])


async def side_rollouts(
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
