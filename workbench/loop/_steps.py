"""A side's rollouts: a solver answers and the judge grades, in waves that stop once the
side's outcome is settled (early stopping). An evaluation that fails on infrastructure is run
again on the same task, at most `retry.evaluations` times per round."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from workbench.errors import ModelOutputError, PromptError, ProviderError
from workbench.inputs import Document
from workbench.loop._acceptance import first_settled
from workbench.records import Rollout
from workbench.roles import Env, Task, judge, solve, verdict_scores

INFRASTRUCTURE = (ProviderError, ModelOutputError)
"""Failures that re-run the evaluation: a solver or judge call that failed after its own
attempts (provider errors, timeouts), a judge reply unusable after its re-ask, an empty answer.
They say nothing about the question, so they never go back to the challenger."""
TOLERATED = (*INFRASTRUCTURE, PromptError)
"""Failures that end the round only if the rollouts before them do not settle it."""


class EmptyAnswer(ModelOutputError):
    """A solver's answer was empty: an infrastructure failure, not a wrong answer."""


@dataclass
class Retries:
    """A round's evaluation re-runs: at most `allowed` (`retry.evaluations`), `used` so far."""

    allowed: int
    used: int = 0

    def take(self) -> int | None:
        """The number of the next evaluation run (1, 2, ...), or None when none is left."""
        if self.used >= self.allowed:
            return None
        self.used += 1
        return self.used

    def note(self) -> str:
        """What an error round's reason adds: how many re-runs it took ("" for none)."""
        if not self.used:
            return ""
        return f" (after {self.used} evaluation {'retry' if self.used == 1 else 'retries'})"


async def rollout(
    env: Env, side: str, doc_id: str, rnd: int, task: Task, index: int, evaluation: int = 0
) -> Rollout:
    """One rollout: the solver answers, the judge grades. `evaluation`: which run of the
    round's evaluation (a re-run draws new call seeds)."""
    answer = await solve(env, side, doc_id, rnd, task, index, evaluation)
    if not answer:
        raise EmptyAnswer(f"{side}: empty answer (rollout {index})")
    met, flags, panel = await judge(env, side, doc_id, rnd, task, answer, index, evaluation)
    weights = [c.weight for c in task.rubric]
    score, raw = verdict_scores(weights, met, env.config.judge_mode == "reference")
    return Rollout(
        side=side,
        rollout=index,
        answer=answer,
        met=met,
        raw_score=round(raw, 6),
        score=round(score, 6),
        flags=flags,
        panel=[{"judge": model, "met": credits} for model, credits in panel],
        evaluation=evaluation,
    )


def already_decided(prefix: list[float]) -> str:
    """For rollouts whose outcome cannot change the verdict (naive mode solves them anyway)."""
    return "decided without these rollouts"


def waves(rollouts: int) -> list[int]:
    """Rollouts launched per wave when stopping early: one, one, then the rest together."""
    sizes = [1] * min(rollouts, 2)
    return sizes + ([rollouts - 2] if rollouts > 2 else [])


async def side_rollouts(
    env: Env,
    side: str,
    doc: Document,
    number: int,
    task: Task,
    settle,
    plan: list[int],
    retries: Retries,
) -> list[Rollout]:
    """Rollouts launched wave by wave (`plan`), stopping once `settle` says the side's outcome
    is fixed. A failed rollout only fails the round if the rollouts before it do not settle it;
    an infrastructure failure first re-runs the wave's failed rollouts (same task, same
    indices, new call seeds) while `retries` has runs left."""

    async def run(indices: list[int], evaluation: int) -> list[Rollout | BaseException]:
        jobs = [rollout(env, side, doc.id, number, task, i, evaluation) for i in indices]
        return list(await asyncio.gather(*jobs, return_exceptions=True))

    done: list[Rollout] = []
    for size in plan:
        indices = list(range(len(done), len(done) + size))
        results = await run(indices, 0)
        while True:
            failures = [r for r in results if isinstance(r, BaseException)]
            fatal = next((f for f in failures if not isinstance(f, TOLERATED)), None)
            if fatal is not None:
                raise fatal  # a stop (budget, breaker, signal) or a bug: never retried
            prefix = []
            for r in results:
                if isinstance(r, BaseException):
                    break
                prefix.append(r)
            if not failures:
                done.extend(prefix)
                break
            if first_settled([a.score for a in done + prefix], settle) is not None:
                return done + prefix  # the failed rollouts cannot change the verdict
            again = retries.take() if isinstance(failures[0], INFRASTRUCTURE) else None
            if again is None:
                raise failures[0]
            failed = [
                i for i, r in zip(indices, results, strict=True) if isinstance(r, BaseException)
            ]
            rerun = dict(zip(failed, await run(failed, again), strict=True))
            results = [rerun.get(i, r) for i, r in zip(indices, results, strict=True)]
        if first_settled([a.score for a in done], settle) is not None:
            break
    return done
