"""The challenger: writes a task (context, question, reference answer, question type, skill
tags, rubric) from a document.

Its output model, wire schema, repair and checks against the rubric rules, and its call."""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from workbench.config import Rubric
from workbench.model import CallMeta
from workbench.roles._env import Env
from workbench.roles._feedback import EMPTY
from workbench.roles._fence import draw_boundary
from workbench.roles._output import ModelOutput
from workbench.roles._schema import _object, _string
from workbench.roles._variables import challenger_variables, render


class Criterion(ModelOutput):
    """One rubric criterion: checkable from an answer's text, with an integer weight."""

    criterion: str = Field(min_length=1)
    """What an answer must state (or, with a negative weight, must not)."""
    weight: int
    """Importance; positive 1..max_weight, negative only when allowed."""


MAX_SKILLS = 3
"""Most skill tags a task keeps (the challenger is asked for 2-3)."""
MAX_SKILL_CHARS = 60
"""Longest skill tag; a longer one is clipped (with `…`)."""


def _skill_list(value: Any) -> tuple[list[str], list[str]]:
    """A reply's `skills` as a list of strings, and what had to be done to make it one."""
    if value is None:
        return [], []
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",")]
        tags = [p for p in parts if p]
        return tags, [f"skills was a string, split into {len(tags)} tag(s)"] if tags else []
    if not isinstance(value, list):
        return [], [f"skills was not a list ({type(value).__name__}), dropped"]
    tags = [v.strip() for v in value if isinstance(v, str) and v.strip()]
    dropped = len(value) - len(tags)
    return tags, [f"skills: {dropped} empty or non-text tag(s) dropped"] if dropped else []


class Task(ModelOutput):
    """A challenger's task."""

    context: str = ""
    """Background the solvers see; must not hand over the answer."""
    question: str = Field(min_length=1)
    """The question the solvers answer."""
    reference_answer: str = Field(min_length=1)
    """The challenger's answer; never shown to solvers (except strong in privileged mode) or the judge."""
    question_type: str = "open"
    """A short label for the kind of question."""
    skills: list[str] = Field(default_factory=list)
    """2-3 short tags naming the reasoning skills the question tests (e.g. "multi-step
    deduction"); empty in records written before skill tags."""
    rubric: list[Criterion] = Field(min_length=1)
    """Weighted criteria the judge grades answers against."""
    repairs: list[str] = Field(default_factory=list)
    """Fixes the workbench applied to the challenger's output (dropped negative criteria,
    clipped weights or text, criteria cut, skill tags fixed); whatever the reply itself says
    here is discarded."""

    _skill_notes: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _skills_as_list(cls, data: Any, handler: Any) -> Task:
        """A reply whose `skills` is not a list of strings still parses; `repair_task` records
        what was done (an unusable tag list never costs the task)."""
        if not isinstance(data, dict) or "skills" not in data:
            return handler(data)
        tags, notes = _skill_list(data["skills"])
        task = handler({**data, "skills": tags})
        task._skill_notes = notes
        return task


def task_schema(rules: Rubric) -> dict[str, Any]:
    low = -rules.max_weight if rules.allow_negative else 1
    criterion = _object(
        {
            "criterion": _string(rules.max_criterion_chars),
            "weight": {"type": "integer", "minimum": low, "maximum": rules.max_weight},
        }
    )
    return _object(
        {
            "context": _string(4000),
            "question": _string(1000),
            "reference_answer": _string(1500),
            "question_type": _string(60),
            "skills": {
                "type": "array",
                "items": _string(MAX_SKILL_CHARS),
                "minItems": 2,
                "maxItems": MAX_SKILLS,
            },
            "rubric": {
                "type": "array",
                "items": criterion,
                "minItems": rules.min_criteria,
                "maxItems": rules.max_criteria,
            },
        }
    )


def repair_task(task: Task, rules: Rubric) -> None:
    """Fix what can be fixed without changing the task's meaning, each fix noted in
    `task.repairs` (only the workbench writes it: a `repairs` key in the reply is discarded).

    A negative weight where negatives are not allowed drops that criterion (flipping it would
    invert its meaning); a zero weight becomes 1 and an out-of-range one is clipped; a criterion
    longer than `max_criterion_chars` is clipped; criteria beyond `max_criteria` are dropped.
    Criteria are numbered as the challenger wrote them. Skill tags beyond `MAX_SKILLS` are
    dropped, longer than `MAX_SKILL_CHARS` clipped, repeats dropped."""
    task.repairs = []
    _repair_skills(task)
    kept: list[Criterion] = []
    for i, c in enumerate(task.rubric, 1):
        if c.weight < 0 and not rules.allow_negative:
            task.repairs.append(
                f"criterion {i} dropped: negative weight {c.weight} (rubric.allow_negative is false)"
            )
            continue
        fixed = 1 if c.weight == 0 else min(rules.max_weight, max(-rules.max_weight, c.weight))
        if fixed != c.weight:
            task.repairs.append(f"criterion {i} weight {c.weight} clipped to {fixed}")
            c.weight = fixed
        if len(c.criterion) > rules.max_criterion_chars:
            task.repairs.append(
                f"criterion {i} text clipped from {len(c.criterion):,} to "
                f"{rules.max_criterion_chars} characters"
            )
            c.criterion = c.criterion[: rules.max_criterion_chars - 1].rstrip() + "…"
        kept.append(c)
    if len(kept) > rules.max_criteria:
        task.repairs.append(
            f"rubric cut from {len(kept)} to {rules.max_criteria} criteria (rubric.max_criteria)"
        )
        del kept[rules.max_criteria :]
    task.rubric = kept


def _repair_skills(task: Task) -> None:
    task.repairs += task._skill_notes
    task._skill_notes = []
    tags: list[str] = []
    for i, tag in enumerate(task.skills, 1):
        if len(tag) > MAX_SKILL_CHARS:
            task.repairs.append(
                f"skill {i} clipped from {len(tag):,} to {MAX_SKILL_CHARS} characters"
            )
            tag = tag[: MAX_SKILL_CHARS - 1].rstrip() + "…"
        if tag.lower() in {t.lower() for t in tags}:
            task.repairs.append(f"skill {i} dropped: a repeat")
            continue
        tags.append(tag)
    if len(tags) > MAX_SKILLS:
        task.repairs.append(f"skills cut from {len(tags)} to {MAX_SKILLS} tags")
        del tags[MAX_SKILLS:]
    task.skills = tags


def counts_problem(rubric: list[Criterion] | list[dict[str, Any]], rules: Rubric) -> str | None:
    """What breaks the rules' criterion counts (in all, positive, negative), or None. Pure:
    the challenger's check and the quality verifier's deterministic check."""
    weights = [c["weight"] if isinstance(c, dict) else c.weight for c in rubric]
    n = len(weights)
    positive = sum(1 for w in weights if w > 0)
    negative = sum(1 for w in weights if w < 0)
    style = f" (rubric.style {rules.style!r})" if rules.style != "evolved" else ""
    if not rules.min_criteria <= n <= rules.max_criteria:
        return f"the rubric has {n} criteria; it needs {rules.min_criteria} to {rules.max_criteria}{style}"
    if positive < rules.min_positive:
        if rules.min_positive == 1:
            return "the rubric needs at least one criterion with a positive weight"
        return (
            f"the rubric has {positive} criteria with a positive weight; it needs at least "
            f"{rules.min_positive}{style}"
        )
    if negative < rules.min_negative:
        return (
            f"the rubric has {negative} criteria with a negative weight (a mistake an answer "
            f"must not make); it needs at least {rules.min_negative}{style}"
        )
    return None


def check_task(task: Task, rules: Rubric) -> None:
    """Raise ValueError (sent back to the challenger once) if the task breaks the rubric rules."""
    n = len(task.rubric)
    if not rules.min_criteria <= n <= rules.max_criteria:
        raise ValueError(counts_problem(task.rubric, rules))
    for i, c in enumerate(task.rubric, 1):
        if c.weight == 0 or abs(c.weight) > rules.max_weight:
            raise ValueError(
                f"criterion {i} has weight {c.weight}; weights are 1 to {rules.max_weight}"
            )
        if c.weight < 0 and not rules.allow_negative:
            raise ValueError(
                f"criterion {i} has negative weight {c.weight}; negative weights are not allowed"
            )
    problem = counts_problem(task.rubric, rules)
    if problem:
        raise ValueError(problem)
    if not task.question.strip() or not task.reference_answer.strip():
        raise ValueError("question and reference_answer must not be empty")


def challenger_boundary(seed: int, doc_id: str) -> str:
    """The challenger's fence id: per document, not per round, so every round's prompt of a
    document starts with the same bytes (the document and the instructions) and a provider's
    prefix cache serves them; the feedback, fenced with it too, comes last."""
    return draw_boundary(seed, doc_id, "challenger")


async def challenge(
    env: Env, doc_id: str, document: str, rnd: int, feedback: dict[str, Any] | None
) -> Task:
    variables = challenger_variables(
        boundary=challenger_boundary(env.config.seed, doc_id),
        doc_id=doc_id,
        document=document,
        round=rnd,
        max_rounds=env.config.max_rounds,
        rubric=env.config.rubric.model_dump(),
        feedback=feedback or EMPTY,
    )
    prompt = render(env.prompts, "challenger", variables)
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
