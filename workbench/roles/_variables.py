"""Each role's template variables, with every untrusted text fenced or neutralised. Pure.

Templates never get raw untrusted text: `document`, `context`, `question`, `answer`, `notes`,
`reference_answer`, `prompt` and `analysis` are whole fenced blocks; criteria, feedback entries
and other short model-written strings are neutralised and on one line (for templates that list
them); `rubric_block` is the fenced, numbered rubric. The old variable names all still render,
so a custom template written before fencing keeps working and shows nothing unfenced.

Boundaries are per task and per audience (`task_boundary`): the solvers' differs from the
judge's, so a solver never sees the judge's boundary.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from workbench.roles._fence import (
    draw_boundary,
    fence,
    neutralise,
    one_line,
    rubric_block,
    safe_criteria,
)

SCOPES = ("challenger", "verifier", "solver", "judge")


def task_boundary(seed: int, doc_id: str, rnd: int, scope: str) -> str:
    """The boundary of one task's prompts for one audience (`SCOPES`)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown fence scope {scope!r}")
    return draw_boundary(seed, doc_id, rnd, scope)


def content_boundary(*texts: Any) -> str:
    """A judge boundary for callers without a run (evaluation, rewards): drawn from the judge's
    inputs, the rubric among them, which the graded model never sees."""
    digest = hashlib.sha256(json.dumps(texts, sort_keys=True, default=str).encode()).hexdigest()
    return draw_boundary("judge", digest)


def _feedback(feedback: dict[str, Any], boundary: str) -> dict[str, Any]:
    def clean(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            k: neutralise(one_line(v), boundary) if isinstance(v, str) else v
            for k, v in entry.items()
        }

    return {k: [clean(e) for e in v] if isinstance(v, list) else v for k, v in feedback.items()}


def challenger_variables(
    *,
    boundary: str,
    doc_id: str,
    document: str,
    round: int,
    max_rounds: int,
    rubric: dict[str, Any],
    feedback: dict[str, Any],
) -> dict[str, Any]:
    return {
        "boundary": boundary,
        "doc_id": neutralise(one_line(doc_id), boundary),
        "document": fence("document", document, boundary),
        "round": round,
        "max_rounds": max_rounds,
        "rubric": rubric,
        "feedback": _feedback(feedback, boundary),
    }


def verifier_variables(*, boundary: str, task: dict[str, Any]) -> dict[str, Any]:
    return {
        "boundary": boundary,
        "task": {
            "context": fence("context", task["context"], boundary),
            "question": fence("question", task["question"], boundary),
            "reference_answer": fence("reference_answer", task["reference_answer"], boundary),
            "question_type": neutralise(one_line(task.get("question_type", "")), boundary),
            "rubric": safe_criteria(task["rubric"], boundary),
        },
        "rubric_block": rubric_block(task["rubric"], boundary, weights=True),
    }


def solver_variables(
    *, boundary: str, context: str, question: str, notes: str | None
) -> dict[str, Any]:
    return {
        "boundary": boundary,
        "context": fence("context", context, boundary),
        "question": fence("question", question, boundary),
        "notes": fence("notes", notes, boundary) if notes else None,
    }


def judge_variables(
    *,
    boundary: str,
    context: str,
    question: str,
    answer: str,
    rubric: list[dict[str, Any]],
    partial_credit: bool,
) -> dict[str, Any]:
    """The judge's variables for all criteria of one answer (`judge.j2`)."""
    return {
        "boundary": boundary,
        "context": fence("context", context, boundary),
        "question": fence("question", question, boundary),
        "answer": fence("answer", answer, boundary),
        "rubric": safe_criteria(rubric, boundary),
        "rubric_block": rubric_block(rubric, boundary, weights=False),
        "partial_credit": partial_credit,
    }


def reference_variables(
    *,
    boundary: str,
    context: str,
    question: str,
    reference_answer: str,
    answer: str,
) -> dict[str, Any]:
    """The judge's variables for a binary verdict against the reference (`judge_reference.j2`)."""
    return {
        "boundary": boundary,
        "context": fence("context", context, boundary),
        "question": fence("question", question, boundary),
        "reference_answer": fence("reference_answer", reference_answer, boundary),
        "answer": fence("answer", answer, boundary),
    }


def criterion_variables(
    *,
    boundary: str,
    context: str,
    question: str,
    answer: str,
    criterion: dict[str, Any],
    partial_credit: bool,
) -> dict[str, Any]:
    """The judge's variables for one criterion (`judge_criterion.j2`)."""
    out = judge_variables(
        boundary=boundary,
        context=context,
        question=question,
        answer=answer,
        rubric=[criterion],
        partial_credit=partial_credit,
    )
    out["criterion"] = out.pop("rubric")[0]
    return out


MUTATOR_NAMES = ("prompt", "analysis")
"""The mutator's fences: a template's own tags (`<feedback id=...>`) are left as they are, so a
mutated template keeps them."""


def mutator_variables(
    *, boundary: str, role: str, prompt: str, pass_rate: float, analysis: str
) -> dict[str, Any]:
    return {
        "boundary": boundary,
        "role": role,
        "prompt": fence("prompt", prompt, boundary, MUTATOR_NAMES),
        "pass_rate": pass_rate,
        "analysis": fence("analysis", analysis, boundary, MUTATOR_NAMES),
    }
