"""The judge: grades an answer against a rubric, criterion by criterion, or (reference mode)
gives one binary verdict against the task's reference answer.

`grade()` is the one judge call: the loop (`judge`), evaluation and GRPO rewards all use it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from pydantic import field_validator

from workbench.config import ModelSpec
from workbench.inputs import PromptSet
from workbench.model import CallMeta, ModelClient
from workbench.roles._challenger import Task
from workbench.roles._env import Env
from workbench.roles._output import ModelOutput
from workbench.roles._panel import panel_grade
from workbench.roles._schema import _object, _string
from workbench.roles._scoring import answer_score, raw_score
from workbench.roles._variables import (
    content_boundary,
    criterion_variables,
    judge_variables,
    reference_variables,
    task_boundary,
)


class CriterionGrade(ModelOutput):
    """A judge's grade for one criterion."""

    criterion: int = 0
    """1-based criterion number (per-answer judging)."""
    met: float
    """1 (or true) if met, 0 (or false) if not; in [0, 1] with partial credit."""
    reason: str = ""
    """Short justification."""

    @field_validator("met", mode="before")
    @classmethod
    def _bool_or_number(cls, v: Any) -> Any:
        if isinstance(v, str):
            low = v.strip().lower()
            if low in ("true", "yes", "met"):
                return 1.0
            if low in ("false", "no", "not met", "unmet"):
                return 0.0
        return v


class JudgeOutput(ModelOutput):
    """A judge's grades for all criteria of one answer."""

    grades: list[CriterionGrade]
    """One grade per criterion, numbered from 1."""


class ReferenceVerdict(ModelOutput):
    """A judge's binary verdict on one answer against the reference answer."""

    correct: bool
    """Whether the answer agrees with the reference answer."""
    reason: str = ""
    """Short justification."""

    @field_validator("correct", mode="before")
    @classmethod
    def _yes_or_no(cls, v: Any) -> Any:
        if isinstance(v, str):
            low = v.strip().lower()
            if low in ("true", "yes", "correct"):
                return True
            if low in ("false", "no", "incorrect"):
                return False
        return v


def reference_schema() -> dict[str, Any]:
    return _object({"correct": {"type": "boolean"}, "reason": _string(300)})


def verdict_scores(weights: list[float], met: list[float], reference: bool) -> tuple[float, float]:
    """An answer's (score, raw score) from its grades: over the rubric's weights, or in
    reference mode the one verdict itself (1.0 correct, 0.0 not)."""
    if reference:
        return met[0], met[0]
    return answer_score(weights, met), raw_score(weights, met)


def _met(partial_credit: bool) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "maximum": 1} if partial_credit else {"type": "boolean"}


def judge_schema(n_criteria: int, partial_credit: bool) -> dict[str, Any]:
    grade = _object(
        {
            "criterion": {"type": "integer", "minimum": 1, "maximum": n_criteria},
            "met": _met(partial_credit),
            "reason": _string(300),
        }
    )
    return _object(
        {
            "grades": {
                "type": "array",
                "items": grade,
                "minItems": n_criteria,
                "maxItems": n_criteria,
            }
        }
    )


def criterion_schema(partial_credit: bool) -> dict[str, Any]:
    return _object({"met": _met(partial_credit), "reason": _string(300)})


def normalize_grades(
    grades: list[CriterionGrade], n_criteria: int, partial_credit: bool
) -> tuple[list[float], list[str]]:
    """Per-criterion credit in rubric order, plus flags for anything repaired.

    Skipped criteria count as not met; out-of-range credit is clipped; without
    partial credit a fractional value is rounded to met / not met.
    """
    met: list[float | None] = [None] * n_criteria
    flags: list[str] = []
    for position, g in enumerate(grades):
        index = g.criterion - 1 if g.criterion >= 1 else position
        if not 0 <= index < n_criteria:
            flags.append(f"grade for unknown criterion {g.criterion} ignored")
            continue
        if met[index] is not None:
            flags.append(f"criterion {index + 1} graded twice; first grade kept")
            continue
        value = float(g.met)
        if value < 0 or value > 1:
            flags.append(f"criterion {index + 1} credit {value:g} clipped to [0, 1]")
            value = min(1.0, max(0.0, value))
        if not partial_credit and value not in (0.0, 1.0):
            flags.append(f"criterion {index + 1} credit {value:g} rounded (partial credit is off)")
            value = 1.0 if value >= 0.5 else 0.0
        met[index] = value
    for i, value in enumerate(met):
        if value is None:
            flags.append(f"criterion {i + 1} not graded; counted as not met")
    return [0.0 if v is None else v for v in met], flags


async def grade(
    client: ModelClient,
    prompts: PromptSet,
    spec: ModelSpec,
    meta: CallMeta,
    *,
    context: str,
    question: str,
    answer: str,
    rubric: list[dict[str, Any]],
    partial_credit: bool,
    per_criterion: bool,
    number_calls: bool = False,
    boundary: str | None = None,
    reference_answer: str | None = None,
) -> tuple[list[float], list[str]]:
    """Per-criterion credit in [0, 1] and repair flags for one answer: one call for the whole
    rubric, or one call per criterion (in parallel). `number_calls`: each per-criterion call's
    meta carries the criterion number as its rollout (evaluation keys its calls so).
    `boundary`: the fence id of the task's judge prompts (the loop draws one per task); by
    default one drawn from the context, question and rubric, the same for every answer.
    `reference_answer` given: reference judging instead, one call comparing the answer with
    it; the credit is one verdict, [1.0] (correct) or [0.0]."""
    if boundary is None:
        boundary = content_boundary(context, question, rubric)
    if reference_answer is not None:
        variables = reference_variables(
            boundary=boundary,
            context=context,
            question=question,
            reference_answer=reference_answer,
            answer=answer,
        )
        prompt = prompts.render("judge_reference", **variables)
        out = await client.complete(
            spec, prompt, meta, schema=ReferenceVerdict, json_schema=reference_schema()
        )
        return [1.0 if out.parsed.correct else 0.0], []
    common = dict(
        boundary=boundary,
        context=context,
        question=question,
        answer=answer,
        partial_credit=partial_credit,
    )
    if not per_criterion:
        prompt = prompts.render("judge", **judge_variables(rubric=rubric, **common))
        wire = judge_schema(len(rubric), partial_credit)
        out = await client.complete(spec, prompt, meta, schema=JudgeOutput, json_schema=wire)
        return normalize_grades(out.parsed.grades, len(rubric), partial_credit)

    async def one(i: int, criterion: dict[str, Any]) -> CriterionGrade:
        variables = criterion_variables(criterion=criterion, **common)
        prompt = prompts.render("judge_criterion", **variables)
        wire = criterion_schema(partial_credit)
        call = replace(meta, rollout=i) if number_calls else meta
        out = await client.complete(spec, prompt, call, schema=CriterionGrade, json_schema=wire)
        return out.parsed.model_copy(update={"criterion": i})

    grades = list(await asyncio.gather(*(one(i, c) for i, c in enumerate(rubric, 1))))
    return normalize_grades(grades, len(rubric), partial_credit)


async def judge(
    env: Env,
    side: str,
    doc_id: str,
    rnd: int,
    task: Task,
    answer: str,
    rollout: int,
    evaluation: int = 0,
) -> tuple[list[float], list[str], list[tuple[str, list[float] | None]]]:
    """The loop's judge: one rollout's answer against its task's rubric (or, with
    `judge_mode = "reference"`, against its reference answer). Returns the credit, the repair
    flags and, for a judge panel, each member's (model, credits or None when it abstained);
    with a single judge that list is empty. `evaluation`: which run of the round's evaluation
    this is (0 the first; a re-run after an infrastructure failure draws a new call seed)."""
    config = env.config
    reference = config.judge_mode == "reference"

    def one(spec: ModelSpec):
        return grade(
            env.client,
            env.prompts,
            spec,
            CallMeta("judge", doc_id, rnd, rollout, side=side, evaluation=evaluation),
            context=task.context,
            question=task.question,
            answer=answer,
            rubric=[c.model_dump() for c in task.rubric],
            partial_credit=config.partial_credit,
            per_criterion=config.judge_mode == "per_criterion",
            boundary=task_boundary(config.seed, doc_id, rnd, "judge"),
            reference_answer=task.reference_answer if reference else None,
        )

    if not config.models.panel:
        met, flags = await one(config.models.judge)
        return met, flags, []
    # Binary verdicts combine by majority (a tie is not correct), whatever judge_panel.combine.
    rule = "majority" if reference else config.judge_panel.rule(config.partial_credit)
    members = config.models.specs("judge")
    return await panel_grade(members, one, rule, config.judge_panel.quorum)
