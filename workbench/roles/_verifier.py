"""The quality verifier: checks a task for leakage, uncheckable criteria, unclear questions,
instructions to the solver and (rubric.style `paper`) the rubric's counts. Its output model,
wire schema and call."""

from __future__ import annotations

from typing import Any

from workbench.config import Rubric
from workbench.model import CallMeta
from workbench.roles._challenger import Task, counts_problem
from workbench.roles._env import Env
from workbench.roles._output import ModelOutput
from workbench.roles._schema import _object, _string
from workbench.roles._variables import render, task_boundary, verifier_variables


class QualityCheck(ModelOutput):
    """The quality verifier's verdict on a task."""

    leakage: bool = False
    """True if the context or question hands over the answer."""
    criteria_checkable: bool = True
    """True if every criterion can be checked from an answer's text."""
    question_ok: bool = True
    """True if the question is clear, self-contained and answerable."""
    solver_instructions: bool = False
    """True if the task tells a solver how to behave (e.g. 'be brief', 'answer wrongly')."""
    rubric_counts_ok: bool = True
    """True if the rubric has the criteria the rubric style requires (paper: 10-20 in all,
    >= 4 positive, >= 3 negative), by the workbench's count and the verifier's judgement;
    true in records written before rubric styles."""
    passed: bool
    """The verifier's overall pass / fail."""
    reason: str = ""
    """Why, in a sentence."""

    def all_clear(self) -> bool:
        """Pass only if the verdict and every individual check agree."""
        return (
            self.passed
            and not self.leakage
            and self.criteria_checkable
            and self.question_ok
            and not self.solver_instructions
            and self.rubric_counts_ok
        )


def checks_counts(rules: Rubric | None) -> bool:
    """Whether the verifier is asked to judge the rubric's counts (rubric.style `paper`)."""
    return rules is not None and rules.style == "paper"


def quality_schema(rules: Rubric | None = None) -> dict[str, Any]:
    flag = {"type": "boolean"}
    counts = {"rubric_counts_ok": flag} if checks_counts(rules) else {}
    return _object(
        {
            "leakage": flag,
            "criteria_checkable": flag,
            "question_ok": flag,
            "solver_instructions": flag,
            **counts,
            "passed": flag,  # verdicts before the free text: a reply cut off in `reason` keeps them
            "reason": _string(400),
        }
    )


def count_check(task: Task, rules: Rubric) -> QualityCheck | None:
    """The deterministic part: a failing verdict when the rubric breaks the rules' counts (no
    model is asked then), else None. Pure."""
    problem = counts_problem(task.rubric, rules)
    if problem is None:
        return None
    return QualityCheck(rubric_counts_ok=False, passed=False, reason=problem)


async def verify(
    env: Env, doc_id: str, rnd: int, task: Task, stage: str | None = None
) -> QualityCheck:
    """The verifier's verdict on `task`: the rubric's counts first (`count_check`, no call when
    they are wrong), then the model's. `stage="filter"`: the final filter's re-verification,
    a call of its own (its own fence boundary, so not the loop's cached verdict), marked so in
    calls.jsonl."""
    rules = env.config.rubric
    counted = count_check(task, rules)
    if counted is not None:
        return counted
    key = doc_id if stage is None else f"{doc_id}|{stage}"
    boundary = task_boundary(env.config.seed, key, rnd, "verifier")
    variables = verifier_variables(boundary=boundary, task=task.model_dump())
    prompt = render(env.prompts, "verifier", {**variables, "rules": rules.model_dump()})
    out = await env.client.complete(
        env.config.models.verifier,
        prompt,
        CallMeta("verifier", doc_id, rnd, stage=stage),
        schema=QualityCheck,
        json_schema=quality_schema(rules),
    )
    return out.parsed
