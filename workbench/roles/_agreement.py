"""How much a judge panel's members agree on a criterion: Fleiss' kappa and percent agreement
over the answers of a round. Pure functions of the members' verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Verdicts = Sequence[Sequence[bool | None]]
"""One row per answer, one verdict per member (None: the member abstained)."""


@dataclass(frozen=True)
class Agreement:
    """Agreement on one criterion over a round's answers."""

    answers: int
    """Answers graded by at least two members (the only ones agreement can be measured on)."""
    agreement: float | None
    """Percent agreement: the mean, over those answers, of the share of member pairs that give
    the same verdict (None: no such answer)."""
    kappa: float | None
    """Fleiss' kappa (None: no such answer, or every verdict the same, where kappa is undefined
    and agreement is complete)."""


def fleiss(verdicts: Verdicts) -> Agreement:
    """Fleiss' kappa over met / not met, with a member's abstention left out of that answer
    (an answer's raters may then differ in number, as in Fleiss' general formula)."""
    rows = [[v for v in row if v is not None] for row in verdicts]
    rows = [row for row in rows if len(row) >= 2]
    if not rows:
        return Agreement(0, None, None)
    shares = []
    met = ratings = 0
    for row in rows:
        n, yes = len(row), sum(row)
        no = n - yes
        shares.append((yes * (yes - 1) + no * (no - 1)) / (n * (n - 1)))
        met += yes
        ratings += n
    observed = sum(shares) / len(shares)
    p = met / ratings
    chance = p * p + (1 - p) * (1 - p)
    kappa = None if chance >= 1 else (observed - chance) / (1 - chance)
    return Agreement(len(rows), round(observed, 6), None if kappa is None else round(kappa, 6))


def low_agreement(result: Agreement, min_agreement: float, min_kappa: float) -> bool:
    """Below either threshold (a criterion with nothing measured is not flagged)."""
    if result.agreement is not None and result.agreement < min_agreement:
        return True
    return result.kappa is not None and result.kappa < min_kappa


def criterion_verdicts(panels: Sequence[Sequence[Sequence[float] | None]], index: int) -> Verdicts:
    """For criterion `index`: each answer's member verdicts (credit from 0.5 is met), from each
    answer's per-member credits (None: that member abstained on the answer)."""
    return [[None if m is None else m[index] >= 0.5 for m in members] for members in panels]
