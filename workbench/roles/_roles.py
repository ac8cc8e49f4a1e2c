"""The four roles plus the verifier, each a small async function over `ModelClient.complete()`."""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.model import CallMeta
from workbench.roles._checks import check_task, normalize_grades, repair_task
from workbench.roles._env import Env
from workbench.roles._feedback import EMPTY
from workbench.roles._outputs import CriterionGrade, JudgeOutput, QualityCheck, Task
from workbench.roles._schema import criterion_schema, judge_schema, quality_schema, task_schema


async def challenge(
    env: Env, doc_id: str, document: str, rnd: int, feedback: dict[str, Any] | None
) -> Task:
    prompt = env.prompts.render(
        "challenger",
        doc_id=doc_id,
        document=document,
        round=rnd,
        max_rounds=env.config.max_rounds,
        rubric=env.config.rubric.model_dump(),
        feedback=feedback or EMPTY,
    )
    out = await env.client.complete(
        env.config.models.challenger,
        prompt,
        CallMeta("challenger", doc_id, rnd),
        schema=Task,
        validate=lambda task: (
            repair_task(task, env.config.rubric),
            check_task(task, env.config.rubric),
        ),
        json_schema=task_schema(env.config.rubric),
    )
    return out.parsed


async def verify(env: Env, doc_id: str, rnd: int, task: Task) -> QualityCheck:
    prompt = env.prompts.render("verifier", task=task.model_dump())
    out = await env.client.complete(
        env.config.models.verifier,
        prompt,
        CallMeta("verifier", doc_id, rnd),
        schema=QualityCheck,
        json_schema=quality_schema(),
    )
    return out.parsed


async def solve(env: Env, side: str, doc_id: str, rnd: int, task: Task, rollout: int) -> str:
    notes = task.reference_answer if side == "strong" and env.config.strong_sees_reference else None
    prompt = env.prompts.render(side, context=task.context, question=task.question, notes=notes)
    spec = getattr(env.config.models, side)
    out = await env.client.complete(spec, prompt, CallMeta(side, doc_id, rnd, rollout))
    return out.text.strip()


async def judge(
    env: Env, side: str, doc_id: str, rnd: int, task: Task, answer: str, rollout: int
) -> tuple[list[float], list[str]]:
    """Per-criterion credit and repair flags for one answer."""
    spec = env.config.models.judge
    meta = CallMeta("judge", doc_id, rnd, rollout, side=side)
    rubric = [c.model_dump() for c in task.rubric]
    common = dict(
        context=task.context,
        question=task.question,
        answer=answer,
        partial_credit=env.config.partial_credit,
    )
    if env.config.judge_mode == "per_answer":
        prompt = env.prompts.render("judge", rubric=rubric, **common)
        wire = judge_schema(len(rubric), env.config.partial_credit)
        out = await env.client.complete(spec, prompt, meta, schema=JudgeOutput, json_schema=wire)
        grades = out.parsed.grades
    else:

        async def one(i: int, criterion: dict) -> CriterionGrade:
            prompt = env.prompts.render("judge_criterion", criterion=criterion, **common)
            wire = criterion_schema(env.config.partial_credit)
            out = await env.client.complete(
                spec, prompt, meta, schema=CriterionGrade, json_schema=wire
            )
            return out.parsed.model_copy(update={"criterion": i})

        grades = list(await asyncio.gather(*(one(i, c) for i, c in enumerate(rubric, 1))))
    return normalize_grades(grades, len(rubric), env.config.partial_credit)
