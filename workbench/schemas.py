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


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


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

    def ok(self) -> bool:
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


class Attempt(Record):
    """One solver answer and how the judge graded it."""

    side: str
    """`weak` or `strong`."""
    rollout: int
    """Rollout index, 0-based."""
    answer: str
    """The solver's answer text."""
    met: list[float]
    """Per-criterion credit in [0, 1], in rubric order."""
    raw_score: float
    """Σ w·met / Σ positive w (may be negative)."""
    score: float
    """raw_score clipped to [0, 1]; what acceptance uses."""
    flags: list[str] = Field(default_factory=list)
    """Judge output problems that were repaired (skipped criteria, out-of-range credit)."""


class RoundRecord(Record):
    """One challenger round on one document: a line of rounds.jsonl."""

    doc_id: str
    """Document identifier."""
    round: int
    """Round number, from 1."""
    mode: str
    """`agentic` or `baseline`."""
    task: dict[str, Any] | None
    """The challenger's task (None if the challenger failed)."""
    quality: dict[str, Any] | None
    """The verifier's verdict (None when verification is off or did not run)."""
    weak_scores: list[float] | None
    """Per-rollout weak scores."""
    strong_scores: list[float] | None
    """Per-rollout strong scores (None if the strong solver did not run)."""
    weak_mean: float | None
    """Mean of weak_scores."""
    strong_mean: float | None
    """Mean of strong_scores."""
    gap: float | None
    """strong_mean - weak_mean."""
    p_value: float | None
    """Permutation-test p-value (when the preset tests significance)."""
    decision: str
    """accepted, too_easy, failed_on_strong, failed_quality, not_significant or error."""
    reason: str
    """Why, in a line."""
    feedback: str
    """The line this round adds to the challenger's next prompt."""
    weak_attempts: list[Attempt] = Field(default_factory=list)
    """Weak answers with their grades."""
    strong_attempts: list[Attempt] = Field(default_factory=list)
    """Strong answers with their grades."""
    decided_after: dict[str, int] = Field(default_factory=dict)
    """How many weak and strong rollouts settled the verdict (the feedback's statistics use these)."""
    raw: str | None = None
    """Raw model output that could not be used (error rounds only)."""
    ts: float
    """Unix time the round finished."""


class Example(Record):
    """An accepted example: a line of accepted.jsonl."""

    id: str
    """Stable id: `<doc_id>#r<round>`."""
    doc_id: str
    """Source document."""
    round: int
    """Round that produced it."""
    context: str
    """Task context."""
    question: str
    """Task question."""
    reference_answer: str
    """The challenger's reference answer."""
    question_type: str
    """Kind of question."""
    rubric: list[dict[str, Any]]
    """Weighted criteria."""
    label: str
    """The best-scoring strong answer."""
    weak_scores: list[float]
    """Per-rollout weak scores."""
    strong_scores: list[float]
    """Per-rollout strong scores."""
    weak_mean: float
    """Mean weak score."""
    strong_mean: float
    """Mean strong score."""
    gap: float
    """strong_mean - weak_mean."""
    p_value: float | None
    """Permutation-test p-value, when the preset tests significance."""
    decision: str = "accepted"
    """`accepted`, or in baseline mode what the preset would have decided."""
    ts: float
    """Unix time it was written."""
