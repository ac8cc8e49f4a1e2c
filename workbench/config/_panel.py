"""`judge_panel`: how a panel of judges (`models.judge` given as a list) is combined and when
its members' agreement on a criterion is flagged as low."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from workbench.config._model_spec import Strict

Combine = Literal["majority", "mean"]


class JudgePanel(Strict):
    """Combining a judge panel's grades (ignored with a single judge)."""

    combine: Combine | None = None
    """`majority`: a criterion is met when more than half the members that graded it say so
    (a tie is not met; with partial credit a member's credit counts as met from 0.5);
    `mean`: the mean of the members' credits. None (default): `mean` with
    `partial_credit`, else `majority`."""
    quorum: int = Field(default=1, ge=1)
    """Fewest members that must grade an answer (a member whose reply is unusable abstains);
    with fewer, the grade is an error, as an unusable reply is for a single judge. 1: only
    when every member abstains. At most the panel's size."""
    min_agreement: float = Field(default=0.8, ge=0, le=1)
    """A criterion whose percent agreement over the round (the mean share of member pairs that
    agree on an answer) is below this is flagged in the round record."""
    min_kappa: float = Field(default=0.4, ge=-1, le=1)
    """A criterion whose Fleiss' kappa over the round is below this is flagged (kappa is left
    out when every grade is the same: agreement is then complete)."""

    def rule(self, partial_credit: bool) -> Combine:
        """The combine rule in force."""
        return self.combine or ("mean" if partial_credit else "majority")
