"""The simulated loop judge: reads the score summary the workbench wrote outside the fenced
blocks (never a number inside an answer) and accepts when it shows a gap.

Accept when the strong mean beats the weak mean by at least `GAP` and the strong side does
reasonably well; improve otherwise. Now and then (`RECAP_RATE`, from the seeded draw) it flags
the question as a case recap, and now and then it changes its mind (`FLIP_RATE`), as a model
reading borderline cases would. Suitability follows the gap.
"""

from __future__ import annotations

import json
import random
import re

from workbench.providers.sim._text import outside

GAP = 0.4
STRONG_FLOOR = 0.5
RECAP_RATE = 0.08
FLIP_RATE = 0.05
_MEAN = {side: re.compile(rf"{side} mean (-?[0-9.]+)") for side in ("weak", "strong")}


def is_loop_judge_prompt(prompt: str) -> bool:
    """The loop-judge prompt's instructions (outside the fences) ask for a verdict and a
    suitability rating."""
    rules = outside(prompt)
    return '"verdict"' in rules and '"suitability"' in rules


def means(prompt: str) -> tuple[float | None, float | None]:
    """The weak and strong means the prompt's own summary states (outside the fences)."""
    rules = outside(prompt)
    found = {side: rx.search(rules) for side, rx in _MEAN.items()}
    return tuple(float(m.group(1)) if m else None for m in found.values())  # type: ignore[return-value]


def verdict(prompt: str, rng: random.Random) -> tuple[str, bool]:
    weak, strong = means(prompt)
    gap = None if weak is None or strong is None else strong - weak
    accept = gap is not None and gap >= GAP and strong >= STRONG_FLOOR
    if rng.random() < FLIP_RATE:
        accept = not accept
    recap = rng.random() < RECAP_RATE
    rating = 1 if gap is None else max(1, min(5, 1 + round(max(0.0, gap) / 0.15)))
    if gap is None:
        reason = "one side has no rollouts: the scores show nothing about the question"
    elif accept:
        reason = f"a clear gap ({gap:.2f}): the strong solver does well and the weak one does not"
    elif weak is not None and weak > 0.4:
        reason = f"the weak solver already does well (weak mean {weak:.2f}): ask something harder"
    else:
        reason = (
            f"the strong solver does not do well enough (strong mean {strong:.2f}, gap "
            f"{gap:.2f}): make the question clearer or more answerable"
        )
    if recap:
        reason = "the question retells the case rather than asking for reasoning; " + reason
    return (
        json.dumps(
            {
                "verdict": "accept" if accept else "improve",
                "suitability": rating if accept else min(rating, 3),
                "case_recap": recap,
                "reason": reason,
            }
        ),
        False,
    )
