"""The quality verifier: checks a task for leakage, uncheckable criteria, unclear questions and
instructions to the solver. Its output model, wire schema and call."""

from __future__ import annotations

from typing import Any

from workbench.model import CallMeta
from workbench.roles._challenger import Task
from workbench.roles._env import Env
from workbench.roles._output import ModelOutput
from workbench.roles._schema import _object, _string
from workbench.roles._variables import task_boundary, verifier_variables


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
        )


def quality_schema() -> dict[str, Any]:
    flag = {"type": "boolean"}
    return _object(
        {
            "leakage": flag,
            "criteria_checkable": flag,
            "question_ok": flag,
            "solver_instructions": flag,
            "passed": flag,  # verdicts before the free text: a reply cut off in `reason` keeps them
            "reason": _string(400),
        }
    )


async def verify(
    env: Env, doc_id: str, rnd: int, task: Task, stage: str | None = None
) -> QualityCheck:
    """The verifier's verdict on `task`. `stage="filter"`: the final filter's re-verification,
    a call of its own (its own fence boundary, so not the loop's cached verdict), marked so in
    calls.jsonl."""
    key = doc_id if stage is None else f"{doc_id}|{stage}"
    boundary = task_boundary(env.config.seed, key, rnd, "verifier")
    prompt = env.prompts.render(
        "verifier", **verifier_variables(boundary=boundary, task=task.model_dump())
    )
    out = await env.client.complete(
        env.config.models.verifier,
        prompt,
        CallMeta("verifier", doc_id, rnd, stage=stage),
        schema=QualityCheck,
        json_schema=quality_schema(),
    )
    return out.parsed
