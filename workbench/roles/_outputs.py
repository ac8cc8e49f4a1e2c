"""Typed records at every boundary: what models return, and what a run writes.

Model outputs (Task, QualityCheck, JudgeOutput, CriterionGrade) ignore extra
keys, since models add chatter; run records forbid them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ModelOutput(BaseModel):
    # Model outputs are untrusted: NaN or Infinity (which Python's json accepts) is an error.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


# --- what models return -------------------------------------------------------


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
    """Fixes the workbench applied to the challenger's output (clipped weights, ...)."""


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


# --- what a run writes --------------------------------------------------------
