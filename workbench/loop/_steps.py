"""One rollout of a round: a solver answers and the judge grades it, as a record."""

from __future__ import annotations

from workbench.records import Rollout
from workbench.roles import Env, Task, answer_score, judge, raw_score, solve


async def rollout(env: Env, side: str, doc_id: str, rnd: int, task: Task, index: int) -> Rollout:
    """One rollout: the solver answers, the judge grades."""
    answer = await solve(env, side, doc_id, rnd, task, index)
    met, flags = await judge(env, side, doc_id, rnd, task, answer, index)
    weights = [c.weight for c in task.rubric]
    return Rollout(
        side=side,
        rollout=index,
        answer=answer,
        met=met,
        raw_score=round(raw_score(weights, met), 6),
        score=round(answer_score(weights, met), 6),
        flags=flags,
    )
