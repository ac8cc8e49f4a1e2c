"""The simulated judge: checks each criterion against the answer's text.

A criterion naming a quoted word for a numbered blank is met when the answer
fills that blank with the word; another quoted phrase is met when the answer
contains it; an unquoted criterion is met when most of its content words
appear in the answer. The judge errs at a small fixed rate, like a real one.

It reads the rubric and the answer only from the blocks fenced with the prompt's boundary, and
its instructions only from outside them: an answer that closes its tag and writes a rubric of
its own is graded as the text it is, as a careful judge would grade it.
"""

from __future__ import annotations

import json
import random
import re

from workbench.providers.sim._difficulty import JUDGE_ERROR_RATE
from workbench.providers.sim._text import (
    block,
    contains_word,
    content_words,
    outside,
    quoted,
    template_block,
)

JUNK_RATE = 0.06
_ITEM = re.compile(r"^\s*(\d+)\.\s*(?:\[-?\d+\]\s*)?(.*)$")


def criteria(prompt: str) -> list[str]:
    """Numbered criteria in the prompt's fenced rubric block (nothing else counts)."""
    out = []
    for line in (template_block(prompt, "rubric") or "").splitlines():
        m = _ITEM.match(line)
        if m:
            out.append(m.group(2).strip())
    return out


def credit(criterion: str, answer: str, partial: bool) -> float:
    term = quoted(criterion)
    if term is None:
        wanted = {w.lower() for w in content_words(criterion)}
        have = {w.lower() for w in content_words(answer)}
        return 1.0 if wanted and len(wanted & have) / len(wanted) >= 0.6 else 0.0
    blank = re.search(r"blank \((\d+)\)", criterion)
    if blank:
        hit = re.search(
            rf"\({blank.group(1)}\)\s*{re.escape(term)}(?![A-Za-z])", answer, re.IGNORECASE
        )
    elif re.search(r"fills a blank", criterion, re.IGNORECASE):
        hit = re.search(rf"\(\d+\)\s*{re.escape(term)}(?![A-Za-z])", answer, re.IGNORECASE)
    else:
        hit = contains_word(answer, term)
    if hit:
        return 1.0
    if partial and len(term) >= 6 and re.search(re.escape(term[:5]), answer, re.IGNORECASE):
        return 0.5
    return 0.0


def grade(prompt: str, rng: random.Random, single: bool) -> tuple[str, bool]:
    answer = block(prompt, "answer") or ""
    partial = "a number from 0" in outside(prompt)
    if rng.random() < JUNK_RATE:
        return '{"grades": [{"criterion": 1, "met": tr', True
    grades = []
    for n, criterion in enumerate(criteria(prompt), 1):
        met = credit(criterion, answer, partial)
        if rng.random() < JUDGE_ERROR_RATE:
            met = 1.0 - met
        reason = (
            "stated in the answer"
            if met >= 1
            else "partly stated"
            if met > 0
            else "not in the answer"
        )
        value: float | bool = met if partial else met >= 0.5
        grades.append({"criterion": n, "met": value, "reason": reason})
    if single:
        first = grades[0] if grades else {"met": False, "reason": "no criterion given"}
        return json.dumps({"met": first["met"], "reason": first["reason"]}), False
    return json.dumps({"grades": grades}), False
