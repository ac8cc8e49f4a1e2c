"""The simulated prompt mutator: edits a challenger prompt in answer to an analysis of its rejections.

It knows a few edits the simulated challenger responds to ('Make the first
question hard.', 'very hard', 'Never include hints...') and picks among them
with probabilities that follow the analysis, plus edits that change nothing
but wording. Like a real mutator it is often unhelpful: selection does the rest.
"""

from __future__ import annotations

import json
import random
import re

from workbench.providers.sim._text import block

HARD = "Make the first question hard: blank out words a careless reader would miss."
VERY_HARD = "Make the first question very hard: long passages, several blanks, rare words."
NO_HINTS = "Never include hints, answers or notes to the solver in the context or the question."
REWORDINGS = [
    ("one self-contained question", "a single self-contained question"),
    ("careful reading or reasoning", "careful reading and reasoning"),
]
ANCHOR = "Never address the solvers"


def counts(analysis: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+): (\d+)", analysis, re.M)}


def mutate(prompt_text: str, rng: random.Random) -> str:
    current = block(prompt_text, "prompt") or ""
    n = counts(block(prompt_text, "analysis") or "")
    total = max(1, sum(n.values()))
    options: list[tuple[float, str]] = [(0.15, "reword")]
    if HARD not in current and VERY_HARD not in current:
        options.append((0.1 + n.get("too_easy", 0) / total, "hard"))
    elif HARD in current:
        options.append((0.1 + 0.5 * n.get("too_easy", 0) / total, "very_hard"))
    if NO_HINTS not in current:
        options.append((0.1 + 2 * n.get("failed_quality", 0) / total, "no_hints"))
    if HARD in current or VERY_HARD in current:
        options.append((0.05 + n.get("failed_on_strong", 0) / total, "easier"))
    choice = rng.choices([name for _, name in options], weights=[w for w, _ in options], k=1)[0]
    new, why = _apply(choice, current, rng)
    return json.dumps({"prompt": new, "rationale": why})


def _apply(choice: str, text: str, rng: random.Random) -> tuple[str, str]:
    if choice == "hard":
        return _insert(text, HARD), "most rejected questions were too easy for the weak solver"
    if choice == "very_hard":
        return text.replace(
            HARD, VERY_HARD
        ), "questions are still too easy; aim higher from the start"
    if choice == "no_hints":
        return _insert(text, NO_HINTS), "tasks failed the quality check"
    if choice == "easier":
        return text.replace(VERY_HARD, HARD) if VERY_HARD in text else text.replace(
            HARD + "\n", ""
        ), ("the strong solver failed too often; start less hard")
    old, new = rng.choice(REWORDINGS)
    return text.replace(old, new), "clearer wording"


def _insert(text: str, line: str) -> str:
    if ANCHOR in text:
        return text.replace(ANCHOR, f"{line}\n{ANCHOR}", 1)
    return f"{text.rstrip()}\n{line}\n"
