"""The simulated quality verifier: honest text checks on a task.

Leakage: the question names a word the rubric expects. Checkable: every
criterion quotes the phrase an answer must contain, or names specific content
rather than style. Solver instructions: the context or question addresses the
solver or tells it how to answer. Rubric counts, when its prompt asks for
"rubric_counts_ok": the criteria in all, with a positive and with a negative
weight, against the numbers the prompt states.
"""

from __future__ import annotations

import json
import random
import re

from workbench.providers.sim._judge import criteria
from workbench.providers.sim._text import (
    block,
    contains_word,
    outside,
    quoted,
    template_block,
    words,
)

JUNK_RATE = 0.05
_VAGUE = re.compile(
    r"\b(well[- ]reasoned|clear(ly)?|well[- ]written|organi[sz]ed|concise|thorough|persuasive)\b",
    re.I,
)
_INSTRUCTION = re.compile(
    r"\b(solver|weak model|strong model|you must|answer (briefly|incorrectly|wrongly)|keep (your|the) answer)\b",
    re.I,
)


def check(prompt: str, rng: random.Random) -> tuple[str, bool]:
    if rng.random() < JUNK_RATE:
        return '{"leakage": false, "criteria_checkable": true, "question_ok": tr', True
    context = block(prompt, "context") or ""
    question = block(prompt, "question") or ""
    items = criteria(prompt)
    weights = [
        int(m.group(1))
        for m in re.finditer(
            r"^\s*\d+\.\s*\[(-?\d+)\]", template_block(prompt, "rubric") or "", re.M
        )
    ]
    positive = [c for c, w in zip(items, weights or [1] * len(items), strict=False) if w > 0]
    leaked = next(
        (t for t in (quoted(c) for c in positive) if t and contains_word(question, t)), None
    )
    vague = next(
        (c for c in items if quoted(c) is None and (_VAGUE.search(c) or len(words(c)) < 4)), None
    )
    instruction = _INSTRUCTION.search(context + " " + question)
    question_ok = len(words(question)) >= 5 and bool(context.strip())
    counts = _counts(outside(prompt), weights)
    if leaked:
        reason = f'the question gives away "{leaked}", which the rubric expects'
    elif vague:
        reason = f'criterion "{vague}" cannot be checked from the answer text'
    elif instruction:
        reason = f'the task tells the solver how to answer ("{instruction.group(0)}")'
    elif not question_ok:
        reason = "the question is too short or has no context"
    elif counts is not None and not counts[0]:
        reason = counts[1]
    else:
        reason = "no leakage, every criterion is checkable, no instructions to the solver"
    counts_ok = counts is None or counts[0]
    passed = not (leaked or vague or instruction) and question_ok and counts_ok
    verdict = {
        "leakage": bool(leaked),
        "criteria_checkable": vague is None,
        "question_ok": question_ok,
        "solver_instructions": bool(instruction),
        **({"rubric_counts_ok": counts_ok} if counts is not None else {}),
        "passed": passed,
        "reason": reason,
    }
    return json.dumps(verdict), False


_COUNTS = re.compile(
    r"has (\d+) to (\d+) criteria in all, at least (\d+) with a positive weight"
    r".*?at least (\d+) with a negative weight"
)


def _counts(instructions: str, weights: list[int]) -> tuple[bool, str] | None:
    """(ok, reason) for the rubric counts the instructions require; None when not asked."""
    if '"rubric_counts_ok"' not in instructions:
        return None
    m = _COUNTS.search(instructions)
    if not m:
        return True, ""
    low, high, pos, neg = (int(g) for g in m.groups())
    positive, negative = sum(w > 0 for w in weights), sum(w < 0 for w in weights)
    if not low <= len(weights) <= high:
        return False, f"the rubric has {len(weights)} criteria, not {low} to {high}"
    if positive < pos:
        return False, f"the rubric has {positive} positive criteria, fewer than {pos}"
    if negative < neg:
        return False, f"the rubric has {negative} negative criteria, fewer than {neg}"
    return True, ""
