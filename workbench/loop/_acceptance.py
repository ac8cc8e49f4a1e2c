"""Acceptance: presets and the pure `decide()` over stored per-rollout scores.

Nothing here calls a model or touches a file, so a notebook can re-decide
thousands of stored rounds when a slider moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from workbench.config import EPS, Thresholds
from workbench.loop._stats import permutation_p_value
from workbench.records import mean

# Only re-decisions produce this: the stored round never ran the strong solver.
STRONG_NOT_RUN = "strong_not_run"


@dataclass(frozen=True)
class Verdict:
    """What `decide()` returns: the decision, why, and the statistics behind it."""

    decision: str
    reason: str
    weak_mean: float | None
    strong_mean: float | None
    gap: float | None
    p_value: float | None


TOO_HARD_REASON = "a weak rollout scored 0"

Rollouts = int | Mapping[str, int]
"""Rollouts planned per round: one count for both sides, or per side {"weak": k, "strong": n}
(as round records store them)."""


def per_side(rollouts: Rollouts | None) -> tuple[int | None, int | None]:
    """The (weak, strong) planned counts of `rollouts` (None where not given)."""
    if rollouts is None or isinstance(rollouts, int):
        return rollouts, rollouts
    return rollouts.get("weak"), rollouts.get("strong")


def weak_gate(weak_scores: list[float], t: Thresholds) -> tuple[str, str] | None:
    """None if the weak side meets the weak conditions, else the decision and the reason:
    `too_easy` (the weak side does too well) or `too_hard` (a weak rollout collapsed to 0,
    under a preset that rejects that: the question may be unanswerable or unclear)."""
    wm = fmean(weak_scores)
    if t.weak_max is not None and wm > t.weak_max + EPS:
        return "too_easy", f"weak_mean {wm:.2f} > weak_max {t.weak_max:.2f}"
    if t.weak_rollout_max is not None and max(weak_scores) > t.weak_rollout_max + EPS:
        return (
            "too_easy",
            f"a weak rollout scored {max(weak_scores):.2f} > {t.weak_rollout_max:.2f}",
        )
    if t.weak_no_zero and min(weak_scores) <= EPS:
        return "too_hard", TOO_HARD_REASON
    return None


def strong_gate(strong_scores: list[float], weak_mean: float, t: Thresholds) -> str | None:
    """None if the strong side and the gap meet their conditions, else the reason."""
    sm = fmean(strong_scores)
    if t.strong_min is not None and sm < t.strong_min - EPS:
        return f"strong_mean {sm:.2f} < strong_min {t.strong_min:.2f}"
    if t.strong_max is not None and sm >= t.strong_max - EPS:
        return f"strong_mean {sm:.2f} >= strong_max {t.strong_max:.2f}"
    if t.strong_no_zero and min(strong_scores) <= EPS:
        return "a strong rollout scored 0"
    if t.min_gap is not None and sm - weak_mean < t.min_gap - EPS:
        return f"gap {sm - weak_mean:.2f} < min_gap {t.min_gap:.2f}"
    return None


def decide(
    weak_scores: list[float] | None,
    strong_scores: list[float] | None,
    t: Thresholds,
    quality_passed: bool = True,
    quality_reason: str = "",
    rollouts: Rollouts | None = None,
) -> Verdict:
    """Decide a round from its stored scores. Pure: same inputs, same verdict.

    The weak side is judged in rollout order, as the loop judges it while rollouts arrive
    (`decide_in_order`): its decision is that of the shortest prefix that settles it, so a
    round re-decided with the thresholds it ran with gets the loop's decision. `rollouts`:
    the rollouts the round was planned with, one count for both sides or per side
    ({"weak": 5, "strong": 3}, a round record's `rollouts`); default: as many as are stored."""
    wm, sm = mean(weak_scores), mean(strong_scores)
    gap = None if wm is None or sm is None else sm - wm
    if not quality_passed:
        return Verdict(
            "failed_quality", quality_reason or "failed quality check", wm, sm, gap, None
        )
    if not weak_scores:
        return Verdict("error", "no weak scores", None, sm, None, None)
    k = max(per_side(rollouts)[0] or 0, len(weak_scores))
    settled = first_settled(weak_scores, lambda p: weak_settled(p, k, t))
    if settled is not None:
        kind, why = settled[1]
        return Verdict(kind, why, wm, sm, gap, None)
    if not strong_scores:
        return Verdict(
            STRONG_NOT_RUN, "strong solver was not run for this round", wm, None, None, None
        )
    why = strong_gate(strong_scores, wm, t)
    if why is not None:
        return Verdict("failed_on_strong", why, wm, sm, gap, None)
    if t.alpha is not None:
        p = permutation_p_value(strong_scores, weak_scores)
        if p > t.alpha + EPS:
            return Verdict("not_significant", f"p {p:.3f} > alpha {t.alpha:.3f}", wm, sm, gap, p)
        return Verdict("accepted", f"p {p:.3f} <= alpha {t.alpha:.3f}", wm, sm, gap, p)
    return Verdict("accepted", "all conditions met", wm, sm, gap, None)


# --- deciding as rollouts arrive ------------------------------------------------


def weak_settled(prefix: list[float], rollouts: int, t: Thresholds) -> tuple[str, str] | None:
    """The decision and why, when the weak side fails whatever the remaining rollouts score;
    None if it still could pass."""
    m = len(prefix)
    if not prefix:
        return None
    if m == rollouts:
        return weak_gate(prefix, t)
    floor = sum(prefix) / rollouts  # the weak mean if every remaining rollout scores 0
    if t.weak_max is not None and floor > t.weak_max + EPS:
        why = f"weak_mean at least {floor:.2f} > weak_max {t.weak_max:.2f} after {m} of {rollouts} rollouts"
        return "too_easy", why
    if t.weak_rollout_max is not None and max(prefix) > t.weak_rollout_max + EPS:
        return "too_easy", f"a weak rollout scored {max(prefix):.2f} > {t.weak_rollout_max:.2f}"
    if t.weak_no_zero and min(prefix) <= EPS:
        return "too_hard", TOO_HARD_REASON
    return None


def strong_settled(
    prefix: list[float], rollouts: int, weak_mean: float, t: Thresholds
) -> str | None:
    """Why the strong side (or the gap) fails whatever the remaining rollouts score, or None."""
    m = len(prefix)
    if not prefix:
        return None
    if m == rollouts:
        return strong_gate(prefix, weak_mean, t)
    ceiling = (sum(prefix) + rollouts - m) / rollouts  # if every remaining rollout scores 1
    floor = sum(prefix) / rollouts  # if every remaining rollout scores 0
    after = f" after {m} of {rollouts} rollouts"
    if t.strong_min is not None and ceiling < t.strong_min - EPS:
        return f"strong_mean at most {ceiling:.2f} < strong_min {t.strong_min:.2f}{after}"
    if t.strong_max is not None and floor >= t.strong_max - EPS:
        return f"strong_mean at least {floor:.2f} >= strong_max {t.strong_max:.2f}{after}"
    if t.strong_no_zero and min(prefix) <= EPS:
        return "a strong rollout scored 0"
    if t.min_gap is not None and ceiling - weak_mean < t.min_gap - EPS:
        return f"gap at most {ceiling - weak_mean:.2f} < min_gap {t.min_gap:.2f}{after}"
    return None


def first_settled(scores: list[float], check) -> tuple[int, Any] | None:
    """The shortest prefix of `scores` (possibly empty) that settles `check`, and why."""
    for m in range(0, len(scores) + 1):
        why = check(scores[:m])
        if why is not None:
            return m, why
    return None


def decide_in_order(
    weak_scores: list[float],
    strong_scores: list[float] | None,
    rollouts: Rollouts,
    t: Thresholds,
    quality_passed: bool = True,
    quality_reason: str = "",
) -> tuple[Verdict, int, int]:
    """`decide()` as rollouts arrive in order: the verdict of the shortest prefix that settles
    the round, plus how many weak and strong rollouts that took. `rollouts`: the planned
    count, for both sides or per side ({"weak": 5, "strong": 3}).

    Whether or not later rollouts were run, the verdict (and so the challenger's
    feedback) is the same: the loop can stop launching rollouts once it is settled."""
    k_weak, k_strong = per_side(rollouts)
    if k_weak is None or k_strong is None:
        raise ValueError(f"planned rollouts per side needed, got {rollouts!r}")
    if not quality_passed:
        return (
            decide(weak_scores or None, strong_scores, t, False, quality_reason),
            len(weak_scores),
            0,
        )
    settled = first_settled(weak_scores, lambda p: weak_settled(p, k_weak, t))
    if settled is not None:
        m, (kind, why) = settled
        return Verdict(kind, why, fmean(weak_scores[:m]), None, None, None), m, 0
    if len(weak_scores) < k_weak:
        raise ValueError(
            f"{len(weak_scores)} weak rollouts do not settle the round; {k_weak} are needed"
        )
    wm = fmean(weak_scores)
    settled = first_settled(strong_scores or [], lambda p: strong_settled(p, k_strong, wm, t))
    if settled is not None:
        n, why = settled
        sm = fmean(strong_scores[:n])
        return Verdict("failed_on_strong", why, wm, sm, sm - wm, None), k_weak, n
    planned = {"weak": k_weak, "strong": k_strong}
    verdict = decide(weak_scores, strong_scores, t, rollouts=planned)
    if not strong_scores or len(strong_scores) < k_strong:
        return verdict, k_weak, len(strong_scores or [])
    return verdict, k_weak, k_strong
