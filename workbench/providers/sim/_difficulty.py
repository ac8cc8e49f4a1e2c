"""The simulator's item-response model.

A blank's difficulty is computed from what a solver can see in the task: how
many sentences the context holds (distractors), how many blanks the question
has, and how rare and long the missing word is within the context. A solver of
skill θ fills a blank correctly with probability σ(θ − b) (a 1-parameter
logistic / Rasch model). The challenger uses the same formula to aim a task at
a difficulty level, as a question writer uses intuition.
"""

from __future__ import annotations

import math
import re

BASE = -1.6
PER_DOUBLING_OF_CONTEXT = 0.55
PER_EXTRA_BLANK = 0.35
RARE_WORD = 0.45
PER_LETTER = 0.08

SKILLS = {"weak": -0.4, "strong": 2.8}
PRIVILEGED_BONUS = 2.5
JUDGE_ERROR_RATE = 0.04
# Rollouts of one model differ as a whole (a rollout that misreads the passage
# misses several blanks): each rollout draws its own skill offset.
ROLLOUT_SD = 1.3


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def blank_difficulty(term: str, n_context_sentences: int, n_blanks: int, context: str) -> float:
    occurrences = len(re.findall(rf"\b{re.escape(term)}\b", context, re.IGNORECASE))
    return difficulty(len(term), occurrences, n_context_sentences, n_blanks)


def difficulty(
    term_length: int, occurrences: int, n_context_sentences: int, n_blanks: int
) -> float:
    """The difficulty formula itself, from counts."""
    return (
        BASE
        + PER_DOUBLING_OF_CONTEXT * math.log2(max(1, n_context_sentences))
        + PER_EXTRA_BLANK * (n_blanks - 1)
        + (RARE_WORD if occurrences <= 1 else 0.0)
        + PER_LETTER * (term_length - 6)
    )


def skill_of(name: str) -> float:
    """`weak`, `strong`, or `solver-<θ>` (e.g. `solver-1.5`)."""
    if name in SKILLS:
        return SKILLS[name]
    if name.startswith("solver-"):
        try:
            return float(name.removeprefix("solver-"))
        except ValueError:
            pass
    raise ValueError(f"unknown sim solver {name!r}: use weak, strong or solver-<skill>")
