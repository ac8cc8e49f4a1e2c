"""Acceptance thresholds: the presets and their overrides, resolved and checked for reachability.

A leaf of the config: the loop's `decide()` reads these, nothing here decides."""

from __future__ import annotations

from math import comb
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Unit = Field(default=None, ge=0, le=1)


# Means of scores stored to 6 decimals: compare thresholds with a tolerance, so
# 0.95 stored as 0.9499999999 still counts as 0.95.
EPS = 1e-9


class Thresholds(BaseModel):
    """A preset plus individual overrides. Unset fields take the preset's value;
    a field set to null switches that condition off."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    preset: Literal["seed", "autodata", "science", "legal"] = "seed"
    """`seed`: strong_mean >= 0.8, weak_mean <= 0.3, significant gap.
    `autodata`: the published CS rule. `science`: the published science rule (binary reference
    judging, 4 + 4 runs, weak <= 1/4 and strong >= 3/4 correct). `legal`: the published legal
    setup (5 weak + 3 strong rollouts, at most 15 rounds); its thresholds are all off, a loop
    judge decides. See `PRESETS` and `PRESET_DEFAULTS` for the sources."""
    weak_max: float | None = Unit
    """Accept only if weak_mean <= weak_max."""
    weak_rollout_max: float | None = Unit
    """Accept only if every weak rollout scores <= this."""
    weak_no_zero: bool | None = None
    """Reject when any weak rollout scores exactly 0."""
    strong_min: float | None = Unit
    """Accept only if strong_mean >= strong_min."""
    strong_max: float | None = Unit
    """Accept only if strong_mean < strong_max (questions too easy even for strong)."""
    strong_no_zero: bool | None = None
    """Reject when any strong rollout scores exactly 0."""
    min_gap: float | None = Unit
    """Accept only if strong_mean - weak_mean >= min_gap."""
    alpha: float | None = Field(default=None, gt=0, le=1)
    """Accept only if the one-sided exact permutation test gives p <= alpha."""

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        # The published CS rule has weak_max 0.65 >= strong_min 0.60: min_gap separates them.
        if (
            self.weak_max is not None
            and self.strong_min is not None
            and self.weak_max >= self.strong_min
            and not self.min_gap
        ):
            raise ValueError(
                f"acceptance.weak_max ({self.weak_max}) must be below "
                f"acceptance.strong_min ({self.strong_min}) unless acceptance.min_gap is set"
            )
        if (
            self.strong_min is not None
            and self.strong_max is not None
            and self.strong_min >= self.strong_max
        ):
            raise ValueError(
                f"acceptance.strong_min ({self.strong_min}) must be below "
                f"acceptance.strong_max ({self.strong_max})"
            )
        return self


PRESETS: dict[str, dict[str, float | bool | None]] = {
    "seed": dict(
        weak_max=0.3,
        weak_rollout_max=None,
        weak_no_zero=False,
        strong_min=0.8,
        strong_max=None,
        strong_no_zero=False,
        min_gap=None,
        alpha=0.05,
    ),
    "autodata": dict(
        weak_max=0.65,
        weak_rollout_max=0.75,
        weak_no_zero=True,
        strong_min=0.60,
        strong_max=0.95,
        strong_no_zero=True,
        min_gap=0.20,
        alpha=None,
    ),
    # Autodata (FAIR at Meta, 2026), science pipeline: 4 weak and 4 strong runs, a binary judge
    # against the reference answer, accept iff weak <= 1/4 and strong >= 3/4 correct (paper,
    # arXiv 2606.25996; blog, facebookresearch/RAM blogs/autodata). With binary scores the
    # means are the shares correct: 1/4 = 0.25 passes weak_max, 2/4 does not; 3/4 = 0.75
    # passes strong_min, 2/4 does not. Nothing else is checked.
    "science": dict(
        weak_max=0.25,
        weak_rollout_max=None,
        weak_no_zero=False,
        strong_min=0.75,
        strong_max=None,
        strong_no_zero=False,
        min_gap=None,
        alpha=None,
    ),
    # Autodata, legal pipeline (Pile of Law): 5 weak and 3 strong rollouts, a loop judge
    # returning accept/improve with a GRPO-suitability rating, at most 15 improve rounds (same
    # sources). No score threshold is published: every condition here is off and the loop
    # judge's stored verdict decides.
    "legal": dict(
        weak_max=None,
        weak_rollout_max=None,
        weak_no_zero=False,
        strong_min=None,
        strong_max=None,
        strong_no_zero=False,
        min_gap=None,
        alpha=None,
    ),
}

PRESET_DEFAULTS: dict[str, dict[str, int | str]] = {
    "science": dict(weak_rollouts=4, strong_rollouts=4, judge_mode="reference"),
    "legal": dict(weak_rollouts=5, strong_rollouts=3, max_rounds=15),
}
"""Run settings a preset implies (the published setups above), applied by RunConfig only
where the config sets none of them: a side's rollouts when neither `rollouts` nor that side's
`<side>_rollouts` is given; `judge_mode` and `max_rounds` when not given."""


def resolve_thresholds(t: Thresholds) -> Thresholds:
    """Fill every field the user did not set from the preset (validated again)."""
    values = dict(PRESETS[t.preset])
    values.update({k: getattr(t, k) for k in t.model_fields_set if k != "preset"})
    return Thresholds(preset=t.preset, **values)


def thresholds(preset: str = "seed", **overrides: float | bool | None) -> Thresholds:
    """A preset's resolved thresholds with overrides: `thresholds("autodata", min_gap=0.3)`."""
    return resolve_thresholds(Thresholds(preset=preset, **overrides))


def check_reachable(t: Thresholds, rollouts: int, strong_rollouts: int | None = None) -> None:
    """Raise ValueError when the significance test can never reach alpha at these rollout
    counts: `rollouts` weak (and strong, unless `strong_rollouts` gives the strong side's)."""
    if t.alpha is None:
        return
    weak, strong = rollouts, rollouts if strong_rollouts is None else strong_rollouts
    smallest = min_p_value(strong, weak)
    if smallest > t.alpha + EPS:
        counts = (
            f"rollouts={weak}"
            if weak == strong
            else f"weak_rollouts={weak} and strong_rollouts={strong}"
        )
        raise ValueError(
            f"acceptance.alpha={t.alpha} cannot be reached with {counts} "
            f"(smallest possible p-value is {smallest:.3g}); use rollouts >= "
            f"{smallest_rollouts(t.alpha)} per side or a larger alpha"
        )


def smallest_rollouts(alpha: float) -> int:
    """Fewest rollouts per side at which the exact permutation test can give p <= alpha."""
    n = 1
    while min_p_value(n, n) > alpha + EPS:
        n += 1
    return n


def min_p_value(n_strong: int, n_weak: int) -> float:
    """The smallest p-value the test can produce for these group sizes."""
    return 1.0 / comb(n_strong + n_weak, n_strong)
