"""The final filter's free checks on one accepted example: pure functions of its stored text.

- **Reference leakage** (document-specific): the reference answer's own content is already in
  the context, so a solver can copy it instead of reasoning. Two measures, over lower-cased
  word tokens (`\\w+`): the longest run of consecutive reference words that occurs verbatim in
  the context and not in the question (`leak_ngram`), and the share of the reference's *distinctive* words (content
  words of 3+ letters, not stopwords, not in the question) that occur in the context
  (`leak_share`, judged only when the reference has at least `leak_min_words` of them).
- **Short context**: fewer than `min_context_chars` characters or `min_context_words` words.
- **Malformed rubric**: the challenger's own task checks with the run's rubric rules, plus no
  positive criterion and duplicate criteria (same text up to case and spacing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from workbench.config import Filter, Rubric
from workbench.roles import Task, check_task

_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORD_TEXT = """a about above after again against all also an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    may me might more most must my no nor not now of off on once only or other our ours out over
    own same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yours"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, underscore)."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> set[str]:
    """Distinct words of 3+ characters that are not stopwords."""
    return {w for w in words(text) if len(w) >= 3 and w not in STOPWORDS}


def longest_shared_run(a: Sequence[str], b: Sequence[str], skip: Sequence[str] = ()) -> int:
    """Length of the longest run of consecutive tokens of `a` that occurs in `b` and not in
    `skip` (a run the question already shows is not the reference's own content)."""
    if not a or not b:
        return 0
    shown = f" {' '.join(skip)} "
    best = 0
    previous = [0] * (len(b) + 1)
    for i, x in enumerate(a):
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                n = current[j] = previous[j - 1] + 1
                if n > best and f" {' '.join(a[i - n + 1 : i + 1])} " not in shown:
                    best = n
        previous = current
    return best


@dataclass(frozen=True)
class Leak:
    """How much of the reference answer the context already holds."""

    longest_shared_words: int
    distinctive_words: int
    reference_share: float | None
    """None when the reference has fewer than `leak_min_words` distinctive words."""


def measure_leak(context: str, question: str, reference: str, settings: Filter) -> Leak:
    shared = longest_shared_run(words(reference), words(context), words(question))
    distinctive = content_words(reference) - content_words(question)
    share = None
    if distinctive and len(distinctive) >= settings.leak_min_words:
        share = round(len(distinctive & content_words(context)) / len(distinctive), 4)
    return Leak(shared, len(distinctive), share)


def leak_reasons(leak: Leak, settings: Filter) -> list[str]:
    out = []
    if leak.longest_shared_words >= settings.leak_ngram:
        out.append(
            f"reference_leak: {leak.longest_shared_words} consecutive words of the reference "
            f"answer are in the context (filter.leak_ngram {settings.leak_ngram})"
        )
    if leak.reference_share is not None and leak.reference_share >= settings.leak_share:
        out.append(
            f"reference_leak: {leak.reference_share:.0%} of the reference's "
            f"{leak.distinctive_words} distinctive words are in the context "
            f"(filter.leak_share {settings.leak_share:g})"
        )
    return out


def context_reasons(context: str, settings: Filter) -> list[str]:
    chars, n = len(context.strip()), len(words(context))
    out = []
    if chars < settings.min_context_chars:
        out.append(
            f"short_context: {chars} characters (filter.min_context_chars "
            f"{settings.min_context_chars})"
        )
    elif n < settings.min_context_words:
        out.append(
            f"short_context: {n} words (filter.min_context_words {settings.min_context_words})"
        )
    return out


def rubric_problems(task_fields: dict, rules: Rubric) -> list[str]:
    """What is wrong with a stored task's rubric under the run's rules (empty: nothing)."""
    out: list[str] = []
    rubric = task_fields.get("rubric") or []
    try:
        task = Task.model_validate(task_fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "task"
        return [f"{where}: {err.get('msg', 'invalid')}"]
    try:
        check_task(task, rules)
    except ValueError as exc:
        out.append(str(exc))
    if not any(c.weight > 0 for c in task.rubric):
        out.append("no criterion has a positive weight")
    seen: dict[str, int] = {}
    for i, c in enumerate(rubric, 1):
        text = " ".join(str(c.get("criterion", "") if isinstance(c, dict) else c).lower().split())
        if text in seen:
            out.append(f"criteria {seen[text]} and {i} are the same")
        else:
            seen[text] = i
    return list(dict.fromkeys(out))
