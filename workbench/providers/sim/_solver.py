"""The simulated solver: reads the context, finds the quoted sentence, and fills its blanks.

Each blank is filled correctly with probability σ(θ − b), where b is the blank's
difficulty as seen in the task (see difficulty.py); a miss is filled with some
other word from the context. Privileged notes that contain the word help, as
they help a real model. Questions without numbered blanks (from a real
challenger) get the best-matching context sentence as the answer.
"""

from __future__ import annotations

import random
import re

from workbench.providers.sim._difficulty import (
    PRIVILEGED_BONUS,
    ROLLOUT_SD,
    blank_difficulty,
    sigmoid,
)
from workbench.providers.sim._text import (
    BLANK,
    block,
    contains_word,
    content_words,
    sentences,
    words,
)


def answer(prompt: str, skill: float, rng: random.Random) -> str:
    # Without the solver template's tags (a plain benchmark prompt), the whole prompt is the context.
    context = block(prompt, "context") or prompt
    question = block(prompt, "question") or prompt
    notes = block(prompt, "notes") or ""
    skeleton = _skeleton(question)
    ctx_sentences = sentences(context, min_words=3) or [context]
    if skeleton is None:
        return _free_answer(question, ctx_sentences)
    blanks = [int(n) for n in BLANK.findall(skeleton)]
    located = max(ctx_sentences, key=lambda s: _shared(s, skeleton))
    skill += rng.gauss(0, ROLLOUT_SD)
    truth = _align(skeleton, located)
    fills = []
    for i, n in enumerate(blanks):
        term = truth[i] if truth else None
        theta = skill + (PRIVILEGED_BONUS if term and notes and contains_word(notes, term) else 0.0)
        b = blank_difficulty(term or "unknown", len(ctx_sentences), len(blanks), context)
        if term and rng.random() < sigmoid(theta - b):
            fills.append((n, term))
        else:
            fills.append((n, _wrong_word(context, term, rng)))
    filled = skeleton
    for n, word in fills:
        filled = filled.replace(f"____ ({n})", word, 1)
    listing = "; ".join(f"({n}) {w}" for n, w in fills)
    return f"{listing}.\nThe sentence reads: {filled}"


def _skeleton(question: str) -> str | None:
    """The quoted sentence with numbered blanks, if the question has one."""
    for m in re.finditer(r"\"([^\"]+)\"", question):
        if BLANK.search(m.group(1)):
            return m.group(1)
    return question if BLANK.search(question) else None


def _shared(sentence: str, skeleton: str) -> int:
    return len({w.lower() for w in words(sentence)} & {w.lower() for w in words(skeleton)})


def _align(skeleton: str, sentence: str) -> list[str] | None:
    """The words of `sentence` that sit where the skeleton has blanks, if it lines up."""
    parts = BLANK.split(skeleton)
    literal = parts[0::2]
    pattern = r"\s*([A-Za-z][A-Za-z'-]*)\s*".join(re.escape(p.strip()) for p in literal)
    m = re.search(pattern.replace(r"\ ", r"\s+"), sentence)
    return list(m.groups()) if m else None


def _wrong_word(context: str, right: str | None, rng: random.Random) -> str:
    pool = [w for w in content_words(context) if not right or w.lower() != right.lower()]
    return rng.choice(pool) if pool else "unknown"


def _free_answer(question: str, ctx_sentences: list[str]) -> str:
    qwords = {w.lower() for w in content_words(question)}
    best = max(ctx_sentences, key=lambda s: len(qwords & {w.lower() for w in content_words(s)}))
    return f"Based on the context: {best}"
