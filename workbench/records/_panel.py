"""What a judge panel adds to the records: each member's grades of an answer, and the
members' agreement per criterion over a round. Absent (empty) with a single judge."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MemberGrade(BaseModel):
    """One panel member's grades of one answer."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    judge: str
    """The member's model string."""
    met: list[float] | None
    """Its per-criterion credit in rubric order; None when it abstained (unusable reply)."""


class CriterionAgreement(BaseModel):
    """The panel's agreement on one criterion over the round's answers."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    criterion: int = Field(ge=1)
    """1-based criterion number."""
    answers: int = Field(ge=0)
    """Answers graded by at least two members."""
    agreement: float | None
    """Percent agreement: mean share of member pairs giving the same verdict, in [0, 1]."""
    kappa: float | None
    """Fleiss' kappa (None when every verdict was the same, or nothing was measured)."""
    low: bool = False
    """Below `judge_panel.min_agreement` or `judge_panel.min_kappa`."""
