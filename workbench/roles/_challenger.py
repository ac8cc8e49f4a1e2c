"""The challenger: writes a task (context, question, reference answer, rubric) from a document.

Its output model, wire schema, repair and checks against the rubric rules, and its call."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from workbench.config import Rubric
from workbench.model import CallMeta
from workbench.roles._env import Env
from workbench.roles._feedback import EMPTY
from workbench.roles._fence import draw_boundary
from workbench.roles._output import ModelOutput
from workbench.roles._schema import _object, _string
from workbench.roles._variables import challenger_variables


class Criterion(ModelOutput):
    """One rubric criterion: checkable from an answer's text, with an integer weight."""

    criterion: str = Field(min_length=1)
    """What an answer must state (or, with a negative weight, must not)."""
    weight: int
    """Importance; positive 1..max_weight, negative only when allowed."""


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
    rubric: list[Criterion] = Field(min_length=1)
    """Weighted criteria the judge grades answers against."""
    repairs: list[str] = Field(default_factory=list)
    """Fixes the workbench applied to the challenger's output (dropped negative criteria,
    clipped weights or text, criteria cut); whatever the reply itself says here is discarded."""


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
    Criteria are numbered as the challenger wrote them."""
    task.repairs = []
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


def check_task(task: Task, rules: Rubric) -> None:
    """Raise ValueError (sent back to the challenger once) if the task breaks the rubric rules."""
    n = len(task.rubric)
    if not rules.min_criteria <= n <= rules.max_criteria:
        raise ValueError(
            f"the rubric has {n} criteria; it needs {rules.min_criteria} to {rules.max_criteria}"
        )
    for i, c in enumerate(task.rubric, 1):
        if c.weight == 0 or abs(c.weight) > rules.max_weight:
            raise ValueError(
                f"criterion {i} has weight {c.weight}; weights are 1 to {rules.max_weight}"
            )
        if c.weight < 0 and not rules.allow_negative:
            raise ValueError(
                f"criterion {i} has negative weight {c.weight}; negative weights are not allowed"
            )
    if not any(c.weight > 0 for c in task.rubric):
        raise ValueError("the rubric needs at least one criterion with a positive weight")
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
    prompt = env.prompts.render("challenger", **variables)
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
