"""An audit's figures and verdict: pure functions of the graded answers and the thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from workbench.audit._answers import ATTACKS, KINDS, REFERENCE
from workbench.config import EPS, PRESETS, Audit, RunConfig


@dataclass(frozen=True)
class GradedAnswer:
    """One calibration answer as the judge graded it (score None: not graded)."""

    task: str
    """The calibration task's id (`doc_id#rN`)."""
    kind: str
    """`reference` or an attack name."""
    answer: str
    """The answer text the judge saw."""
    score: float | None
    """The loop's score (Σ w·met / Σ positive w, clipped to [0, 1]); None if not graded."""
    met: list[float] | None = None
    """Per-criterion credit, in rubric order."""
    flags: list[str] = field(default_factory=list)
    """Judge output repairs (skipped criteria, out-of-range credit)."""
    raw_score: float | None = None
    """Σ w·met / Σ positive w before clipping (below 0 with negative weights)."""
    error: str | None = None
    """Why the answer was not graded (unusable judge output, failed call)."""


def pass_score(config: RunConfig) -> float:
    """The score at which the loop counts an answer as meeting the rubric: acceptance.strong_min
    (the seed preset's value when that condition is switched off)."""
    strong_min = config.thresholds().strong_min
    return float(strong_min if strong_min is not None else PRESETS["seed"]["strong_min"])


def passes(score: float, threshold: float) -> bool:
    return score >= threshold - EPS


def kind_figures(rows: Sequence[GradedAnswer], threshold: float) -> dict[str, dict[str, Any]]:
    """Per answer kind (reference first, then each attack): answers, graded, errors, mean score
    and pass rate (for the reference the true-positive rate, for an attack its false-positive
    rate), over the graded answers (None when none was graded)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in [k for k in KINDS if any(r.kind == k for r in rows)]:
        of_kind = [r for r in rows if r.kind == kind]
        scores = [r.score for r in of_kind if r.score is not None]
        out[kind] = {
            "answers": len(of_kind),
            "graded": len(scores),
            "errors": len(of_kind) - len(scores),
            "mean_score": round(fmean(scores), 6) if scores else None,
            "pass_rate": round(sum(passes(s, threshold) for s in scores) / len(scores), 6)
            if scores
            else None,
            "should_pass": kind == REFERENCE,
        }
    return out


def overall_false_positive_rate(figures: dict[str, dict[str, Any]]) -> float | None:
    """Share of all graded attack answers that pass."""
    graded = sum(f["graded"] for k, f in figures.items() if k in ATTACKS)
    if not graded:
        return None
    passed = sum(
        f["pass_rate"] * f["graded"] for k, f in figures.items() if k in ATTACKS and f["graded"]
    )
    return round(passed / graded, 6)


def verdict(figures: dict[str, dict[str, Any]], limits: Audit) -> tuple[bool, list[str]]:
    """Pass, or fail with one reason per broken threshold: the true-positive rate on reference
    answers, each attack's false-positive rate on its own, and the share of ungraded answers."""
    reasons: list[str] = []
    reference = figures.get(REFERENCE)
    if reference is None or not reference["graded"]:
        reasons.append("no reference answer was graded")
    elif reference["pass_rate"] < limits.min_true_positive_rate - EPS:
        reasons.append(
            f"passes {reference['pass_rate']:.0%} of reference answers "
            f"(needs at least {limits.min_true_positive_rate:.0%})"
        )
    for kind in ATTACKS:
        f = figures.get(kind)
        if f is None:
            reasons.append(f"{kind}: not tried")
        elif f["graded"] and f["pass_rate"] > limits.max_false_positive_rate + EPS:
            reasons.append(
                f"{kind}: passes {f['pass_rate']:.0%} of its answers "
                f"(at most {limits.max_false_positive_rate:.0%})"
            )
    answers = sum(f["answers"] for f in figures.values())
    errors = sum(f["errors"] for f in figures.values())
    if answers and errors / answers > limits.max_error_rate + EPS:
        reasons.append(
            f"{errors} of {answers} answers not graded ({errors / answers:.0%}; "
            f"at most {limits.max_error_rate:.0%})"
        )
    return not reasons, reasons


def figures_report(rows: Sequence[GradedAnswer], threshold: float, limits: Audit) -> dict[str, Any]:
    """The metrics part of judge_audit.json: figures per kind, the rates and the verdict."""
    figures = kind_figures(rows, threshold)
    ok, reasons = verdict(figures, limits)
    reference = figures.get(REFERENCE) or {}
    return {
        "pass_score": threshold,
        "thresholds": limits.model_dump(exclude={"tasks"}),
        "true_positive_rate": reference.get("pass_rate"),
        "false_positive_rate": overall_false_positive_rate(figures),
        "kinds": figures,
        "verdict": "pass" if ok else "fail",
        "reasons": reasons,
    }
