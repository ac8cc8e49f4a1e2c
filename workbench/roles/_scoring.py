"""Rubric scoring (PRBench / HealthBench convention). Pure functions."""

from __future__ import annotations

from collections.abc import Sequence


def raw_score(weights: Sequence[float], met: Sequence[float]) -> float:
    """Σ w·met / Σ positive w. Can fall below 0 with negative weights; 0 if no positive weight."""
    if len(weights) != len(met):
        raise ValueError(f"{len(weights)} weights but {len(met)} grades")
    positive = sum(w for w in weights if w > 0)
    if positive <= 0:
        return 0.0
    return sum(w * m for w, m in zip(weights, met, strict=True)) / positive


def clip01(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def answer_score(weights: Sequence[float], met: Sequence[float]) -> float:
    """The score acceptance uses: the raw score clipped to [0, 1]."""
    return clip01(raw_score(weights, met))


def benchmark_score(task_scores: Sequence[float]) -> float:
    """A benchmark's reported figure: max(0, mean of per-task raw scores)."""
    if not task_scores:
        raise ValueError("no task scores")
    return max(0.0, sum(task_scores) / len(task_scores))
