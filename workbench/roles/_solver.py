"""The weak and strong solvers: answer a task's question from its context (the strong one, in
privileged mode, with the reference answer as notes)."""

from __future__ import annotations

from workbench.model import CallMeta
from workbench.roles._challenger import Task
from workbench.roles._env import Env
from workbench.roles._variables import solver_variables, task_boundary


async def solve(
    env: Env, side: str, doc_id: str, rnd: int, task: Task, rollout: int, evaluation: int = 0
) -> str:
    """One answer, stripped. `evaluation`: which run of the round's evaluation (a re-run after
    an infrastructure failure draws a new call seed)."""
    notes = task.reference_answer if side == "strong" and env.config.strong_sees_reference else None
    # The solvers' own boundary: never the judge's, which they must not see.
    boundary = task_boundary(env.config.seed, doc_id, rnd, "solver")
    variables = solver_variables(
        boundary=boundary, context=task.context, question=task.question, notes=notes
    )
    prompt = env.prompts.render(side, **variables)
    spec = getattr(env.config.models, side)
    out = await env.client.complete(
        spec, prompt, CallMeta(side, doc_id, rnd, rollout, evaluation=evaluation)
    )
    return out.text.strip()
