"""A round's panel agreement: Fleiss' kappa and percent agreement per criterion over every
answer the round graded, with the low ones flagged (empty with a single judge)."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.config import JudgePanel
from workbench.records import CriterionAgreement, Rollout
from workbench.roles import criterion_verdicts, fleiss, low_agreement


def round_agreement(
    rollouts: Sequence[Rollout], n_criteria: int, rules: JudgePanel
) -> list[CriterionAgreement]:
    """Per criterion, the members' agreement over the rollouts that carry panel grades."""
    panels = [[m.met for m in r.panel] for r in rollouts if r.panel]
    panels = [p for p in panels if all(m is None or len(m) == n_criteria for m in p)]
    if not panels:
        return []
    out = []
    for index in range(n_criteria):
        result = fleiss(criterion_verdicts(panels, index))
        out.append(
            CriterionAgreement(
                criterion=index + 1,
                answers=result.answers,
                agreement=result.agreement,
                kappa=result.kappa,
                low=low_agreement(result, rules.min_agreement, rules.min_kappa),
            )
        )
    return out
