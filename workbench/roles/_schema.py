"""JSON schemas sent with structured-output requests.

Tighter than the pydantic models they are validated with: weight ranges and
item counts from the config, booleans where the judge must decide, so
constrained decoders (llama.cpp's grammars) keep small models inside the
lines. No string lengths: llama.cpp expands maxLength into a grammar rule per
character. Pure.
"""

from __future__ import annotations

from typing import Any

from workbench.config import Rubric


def _string(max_length: int) -> dict[str, Any]:
    """A string field; `max_length` documents intent but is not sent (see module doc)."""
    return {"type": "string"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def task_schema(rules: Rubric) -> dict[str, Any]:
    low = -rules.max_weight if rules.allow_negative else 1
    criterion = _object(
        {
            "criterion": _string(300),
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
