"""The weak and strong solvers: answer a task's question from its context (the strong one, in
privileged mode, with the reference answer as notes)."""

from __future__ import annotations

from workbench.model import CallMeta
from workbench.roles._challenger import Task
from workbench.roles._env import Env


async def solve(env: Env, side: str, doc_id: str, rnd: int, task: Task, rollout: int) -> str:
    notes = task.reference_answer if side == "strong" and env.config.strong_sees_reference else None
    prompt = env.prompts.render(side, context=task.context, question=task.question, notes=notes)
    spec = getattr(env.config.models, side)
    out = await env.client.complete(spec, prompt, CallMeta(side, doc_id, rnd, rollout))
    return out.text.strip()
