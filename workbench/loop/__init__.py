"""The Autodata loop: rounds on a document, acceptance, statistics, estimate."""

from __future__ import annotations

from workbench.loop._acceptance import STRONG_NOT_RUN, decide
from workbench.loop._estimate import format_estimate, upper_bound
from workbench.loop._expected import Expected, Pilot, Usage, expected, format_expected, measure
from workbench.loop._orchestrator import run_documents, run_round
from workbench.loop._prior import PRIOR
from workbench.loop._recheck import decision_check, decision_problem
from workbench.loop._stats import permutation_p_value

__all__ = [
    "PRIOR",
    "STRONG_NOT_RUN",
    "Expected",
    "Pilot",
    "Usage",
    "decide",
    "decision_check",
    "decision_problem",
    "expected",
    "format_estimate",
    "format_expected",
    "measure",
    "permutation_p_value",
    "run_documents",
    "run_round",
    "upper_bound",
]
