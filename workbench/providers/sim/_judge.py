"""The simulated judge: checks each criterion against the answer's text.

A criterion naming a quoted word for a numbered blank is met when the answer
fills that blank with the word; another quoted phrase is met when the answer
contains it; an unquoted criterion is met when most of its content words
appear in the answer. The judge errs at a small fixed rate, like a real one.
In reference mode (`judge_reference.j2`) it gives one verdict: an answer is
correct when it fills every numbered blank as the reference answer does (for a
reference without blanks: when most of its content words appear), so whether a
solver's answer is correct is decided by the solver's draw against the blanks'
difficulty (`_difficulty`), as with the rubric.

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
_FILL = re.compile(r"\((\d+)\)\s*([A-Za-z][A-Za-z'-]*)")


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


def fills(text: str) -> dict[str, str]:
    """The words a text gives for numbered blanks, `(1) word; (2) word`, first one per number."""
    out: dict[str, str] = {}
    for number, word in _FILL.findall(text):
        out.setdefault(number, word.lower())
    return out


def agrees(reference: str, answer: str) -> bool:
    """Whether `answer` agrees with `reference`: every blank filled with the reference's word,
    or (a reference without blanks) most of its content words present."""
    wanted = fills(reference.split("The sentence reads:")[0])
    if wanted:
        given = fills(answer)
        return all(given.get(n) == word for n, word in wanted.items())
    ref = {w.lower() for w in content_words(reference)}
    have = {w.lower() for w in content_words(answer)}
    return bool(ref) and len(ref & have) / len(ref) >= 0.6


def verdict(prompt: str, rng: random.Random) -> tuple[str, bool]:
    """A reference-mode reply: {"correct": ..., "reason": ...}, now and then malformed."""
    if rng.random() < JUNK_RATE:
        return '{"correct": tr', True
    correct = agrees(block(prompt, "reference_answer") or "", block(prompt, "answer") or "")
    if rng.random() < JUDGE_ERROR_RATE:
        correct = not correct
    reason = "agrees with the reference answer" if correct else "differs from the reference answer"
    return json.dumps({"correct": correct, "reason": reason}), False
