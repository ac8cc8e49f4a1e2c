"""Typed run records: every line of rounds.jsonl and accepted.jsonl is one of these.

Run records forbid extra keys (model outputs, in roles, ignore them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Decision = Literal[
    "accepted", "too_easy", "failed_on_strong", "failed_quality", "not_significant", "error"
]


DECISIONS: tuple[str, ...] = (
    "accepted",
    "too_easy",
    "failed_on_strong",
    "failed_quality",
    "not_significant",
    "error",
)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
