"""The simulated challenger: builds cloze-style reading tasks from the document's own sentences.

It picks a sentence it has not asked about, a context window around it, and
words to blank out, aiming at a difficulty level. The level starts easy and
moves with the feedback in its prompt: up after TOO EASY (more so the higher
the weak mean), down after FAILED ON STRONG. Now and then it writes a flawed
task (a hint, an uncheckable criterion, an instruction to the solver), less
often after each FAILED QUALITY CHECK, and now and then broken JSON.

It follows the rubric rules its prompt states (outside the fenced data): the
criterion count and weight range, negative weights, and, when the prompt asks
for positive and negative criteria by count (rubric.style `paper`), two
positive criteria per blank and distractor words as negative ones. It tags the
skills a task tests when the prompt asks for "skills".
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass

from workbench.providers.sim._difficulty import blank_difficulty, difficulty
from workbench.providers.sim._text import (
    STOPWORDS,
    block,
    content_words,
    outside,
    sentences,
    template_block,
    words,
)

START_LEVEL = -1.6
FLAW_RATE = 0.10
JUNK_RATE = 0.08
# Some prompts trip a model every time (the re-ask fails too): keyed on the prompt alone.
PERSISTENT_JUNK_RATE = 0.03
COSMETIC_RATE = 0.2

# `3. [close reading] "Fill in ..." — weak avg: 90%`: numbered in the order the questions were asked.
_ENTRY = re.compile(r"^(\d+)\. \[(.*?)\] \"(.*)\" — (.*)$")
_PERCENT = {key: re.compile(rf"{key} avg:? (-?[0-9.]+)%") for key in ("weak", "strong")}
_HEADINGS = {
    "TOO EASY": "too_easy",
    "TOO HARD": "too_hard",
    "FAILED ON STRONG": "failed_on_strong",
    "FAILED QUALITY CHECK": "failed_quality",
    "NOT SIGNIFICANT": "not_significant",
    "IMPROVE": "improve",
}


@dataclass(frozen=True)
class Past:
    """One rejected round as the feedback block reports it."""

    round: int
    """Its number in the feedback (the order the questions were asked)."""
    kind: str
    question: str
    weak_mean: float | None = None
    strong_mean: float | None = None
    note: str = ""


@dataclass(frozen=True)
class RubricRules:
    """What the challenger prompt asks for, as the simulated challenger understands it."""

    min_criteria: int = 2
    max_criteria: int = 10
    max_weight: int = 7
    allow_negative: bool = False
    start_boost: float = 0.0
    """'Make the first question hard' (+1) or 'very hard' (+2): start above the easy default."""
    flaw_factor: float = 1.0
    """'Never include hints': flawed tasks become rarer."""
    positive: tuple[int, int] | None = None
    """'Write A to B positive criteria' (paper style): how many positive criteria to write."""
    negative: tuple[int, int] | None = None
    """'... and A to B negative criteria' (paper style): how many negative criteria."""
    skills: bool = False
    """The prompt asks for "skills" tags."""


def parse_feedback(text: str | None) -> list[Past]:
    """Rejected rounds listed in a `<feedback>` block, in the order they were asked."""
    past: list[Past] = []
    kind = None
    for line in (text or "").splitlines():
        m = _ENTRY.match(line.strip())
        for heading, name in _HEADINGS.items():
            if not m and heading in line:  # `Questions that were TOO EASY (…):`
                kind = name
        if m and kind:
            nums = {k: rx.search(m.group(4)) for k, rx in _PERCENT.items()}
            past.append(
                Past(
                    round=int(m.group(1)),
                    kind=kind,
                    question=m.group(3),
                    weak_mean=float(nums["weak"].group(1)) / 100 if nums["weak"] else None,
                    strong_mean=float(nums["strong"].group(1)) / 100 if nums["strong"] else None,
                    note=m.group(4),
                )
            )
    return sorted(past, key=lambda p: p.round)


def parse_rules(prompt: str) -> RubricRules:
    """Rubric rules as the challenger prompt's instructions (outside its data) state them."""
    m = re.search(r"(\d+) to (\d+) criteria", prompt)
    w = re.search(r"from 1 \(minor\) to (\d+)", prompt)
    low = prompt.lower()
    boost = (
        2.0 if "first question very hard" in low else 1.0 if "first question hard" in low else 0.0
    )
    pos = re.search(r"(\d+) to (\d+) positive criteria", prompt)
    neg = re.search(r"(\d+) to (\d+) negative criteria", prompt)
    return RubricRules(
        min_criteria=int(m.group(1)) if m else 2,
        max_criteria=int(m.group(2)) if m else 10,
        max_weight=int(w.group(1)) if w else 7,
        allow_negative="negative weight" in prompt or neg is not None,
        start_boost=boost,
        flaw_factor=0.3 if "never include hints" in low else 1.0,
        positive=(int(pos.group(1)), int(pos.group(2))) if pos else None,
        negative=(int(neg.group(1)), int(neg.group(2))) if neg else None,
        skills='"skills"' in prompt,
    )


def level_after(past: list[Past], rng: random.Random, start_boost: float = 0.0) -> float:
    """The difficulty the challenger aims at after reading its feedback."""
    level = START_LEVEL + start_boost + rng.gauss(0, 0.3)
    for p in past:
        if p.kind == "too_hard":
            level -= 0.35  # a weak rollout got nothing at all: too hard or unclear
        elif p.kind == "too_easy":
            level += 0.5 + 1.6 * max(0.0, (p.weak_mean or 1.0) - 0.3)
        elif p.kind == "failed_on_strong":
            level -= 0.3 + 1.5 * max(0.0, 0.8 - (p.strong_mean or 0.0))
        elif p.kind == "not_significant":
            level += 0.15
        elif p.kind == "improve":  # no gap: harder if the weak side did well, else easier
            weak, strong = p.weak_mean or 0.0, p.strong_mean or 0.0
            level += 0.4 if weak > 0.4 else -0.3 if strong < 0.6 else 0.2
        level += rng.gauss(0, 0.2)
    return level


def write_task(prompt: str, rng: random.Random, prompt_rng: random.Random) -> tuple[str, bool]:
    """The challenger's reply (JSON text, occasionally malformed) and whether it was cut off.

    `rng` varies with the whole conversation (so a re-ask gets a fresh draw);
    `prompt_rng` depends on the prompt alone."""
    document = block(prompt, "document") or ""
    past = parse_feedback(template_block(prompt, "feedback"))
    rules = parse_rules(outside(prompt))
    if prompt_rng.random() < PERSISTENT_JUNK_RATE or rng.random() < JUNK_RATE:
        return _junk(rng, rules)
    task = build_task(document, past, rules, rng)
    if task is None:
        return json.dumps({"error": "the document has no sentence long enough to ask about"}), False
    return _cosmetic(json.dumps(task, indent=1), rng), False


def build_task(
    document: str, past: list[Past], rules: RubricRules, rng: random.Random
) -> dict | None:
    sents = sentences(document)
    if not sents:
        return None
    asked = [set(w.lower() for w in content_words(p.question)) for p in past]
    fresh = [i for i, s in enumerate(sents) if not any(_overlap(s, a) >= 0.5 for a in asked)]
    if rules.positive is not None:  # criteria counted by sign: a sentence with enough blanks
        fewest = _blanks(rules)[0]
        fresh = [i for i in fresh if len(_candidates(sents[i])) >= fewest] or fresh
    target = rng.choice(fresh or range(len(sents)))
    level = level_after(past, rng, rules.start_boost)
    window, terms = _design(sents, target, level, rules, rng)
    if not terms:
        return None
    context = " ".join(sents[window[0] : window[1]])
    sentence = sents[target]
    question_text = sentence
    for n, term in enumerate(terms, 1):
        question_text = re.sub(rf"\b{re.escape(term)}\b", f"____ ({n})", question_text, count=1)
    n_ctx = window[1] - window[0]
    if rules.positive is not None:
        rubric = _counted_rubric(terms, n_ctx, context, sentence, document, rules, rng)
    else:
        rubric = _blank_rubric(terms, n_ctx, context, rules)
    if rules.positive is None and rules.allow_negative and rng.random() < 0.6:
        distractor = _distractor(context, sentence, rng)
        if distractor:
            rubric.append(
                {
                    "criterion": f'Fills a blank with "{distractor}", a word the sentence does not use there.',
                    "weight": -min(2, rules.max_weight),
                }
            )
    task = {
        "context": context,
        "question": f'Fill in the numbered blanks in this sentence from the context: "{question_text}"',
        "reference_answer": "; ".join(f"({n}) {t}" for n, t in enumerate(terms, 1))
        + f". The sentence reads: {sentence}",
        "question_type": "close reading" if len(terms) <= 2 else "multi-blank close reading",
        **({"skills": skills_of(len(terms), n_ctx)} if rules.skills else {}),
        "rubric": rubric[: rules.max_criteria],
    }
    failed_quality = sum(1 for p in past if p.kind == "failed_quality")
    if rng.random() < FLAW_RATE * rules.flaw_factor * 0.5**failed_quality:
        _add_flaw(task, terms, rng)
    return task


def skills_of(blanks: int, context_sentences: int) -> list[str]:
    """The reasoning skills a cloze task tests, 2-3 tags (no random draw: the stream of
    choices is the same whether or not skills are asked for)."""
    tags = ["close reading"]
    tags.append("locating evidence" if context_sentences > 1 else "exact recall")
    if blanks >= 3:
        tags.append("tracking several constraints")
    return tags


def _weight(term: str, n_ctx: int, blanks: int, context: str, rules: RubricRules) -> int:
    b = blank_difficulty(term, n_ctx, blanks, context)
    return max(1, min(rules.max_weight, round(3.5 + 1.5 * b)))


def _blank_rubric(terms, n_ctx, context, rules) -> list[dict]:
    """One positive criterion per blank, weighted by the blank's difficulty."""
    return [
        {
            "criterion": f'Fills blank ({n}) with "{term}".',
            "weight": _weight(term, n_ctx, len(terms), context, rules),
        }
        for n, term in enumerate(terms, 1)
    ]


def _counted_rubric(terms, n_ctx, context, sentence, document, rules, rng) -> list[dict]:
    """The rubric a prompt asking for positive and negative criteria by count gets: per blank
    the word in its place and the completed sentence using it (positive), then distractors,
    words of the context (else of the document) the sentence does not use (negative: filling a
    blank with one is the mistake). As many as the prompt's counts and total allow."""
    rubric = []
    for n, term in enumerate(terms, 1):
        weight = _weight(term, n_ctx, len(terms), context, rules)
        rubric.append({"criterion": f'Fills blank ({n}) with "{term}".', "weight": weight})
        rubric.append(
            {
                "criterion": f'Completes the sentence using the word "{term}".',
                "weight": max(1, weight // 2),
            }
        )
    rubric = rubric[: rules.positive[1]]
    low, high = rules.negative or (0, 0)
    want = max(low, min(high, rules.min_criteria - len(rubric)))
    want = min(want, max(0, rules.max_criteria - len(rubric)))
    for text in _mistakes(terms, context, sentence, document, want, rng):
        rubric.append({"criterion": text, "weight": -min(rules.max_weight, rng.choice([2, 3, 5]))})
    return rubric


def _design(sents, target, level, rules, rng):
    """The context window and blanked words whose mean difficulty is closest to `level`."""
    sentence = sents[target]
    candidates = _candidates(sentence)
    fewest, most = _blanks(rules)
    if len(candidates) < fewest:
        return (target, target + 1), candidates[:most]
    aim = level + rng.gauss(0, 0.25)
    best = None
    top = min(len(candidates), most, 6)
    for size in range(1, min(len(sents), 12) + 1):
        start = max(0, min(target - (size - 1) // 2, len(sents) - size))
        counts = Counter(w.lower() for s in sents[start : start + size] for w in words(s))
        for k in range(fewest, top + 1):
            scored = sorted((difficulty(len(t), counts[t.lower()], size, k), t) for t in candidates)
            for i in range(0, len(scored) - k + 1):
                chosen = scored[i : i + k]
                cost = abs(sum(b for b, _ in chosen) / k - aim) + 0.01 * size
                if best is None or cost < best[0]:
                    best = (cost, (start, start + size), [t for _, t in chosen])
    _, window, chosen = best
    order = {w: sentence.find(w) for w in chosen}
    return window, sorted(chosen, key=order.get)


def _candidates(sentence: str) -> list[str]:
    """The words of `sentence` that can be blanked: content words it uses once."""
    counts: dict[str, int] = {}
    for w in words(sentence):
        counts[w.lower()] = counts.get(w.lower(), 0) + 1
    candidates: list[str] = []
    for w in content_words(sentence):
        if counts[w.lower()] == 1 and w.lower() not in {c.lower() for c in candidates}:
            candidates.append(w)
    return candidates


def _blanks(rules: RubricRules) -> tuple[int, int]:
    """Fewest and most blanks: one criterion each, or (criteria counted by sign) two positive
    criteria each, leaving room for the negative ones within the total."""
    if rules.positive is None:
        return rules.min_criteria, rules.max_criteria
    low, high = rules.negative or (0, 0)
    fewest = max(1, -(-rules.positive[0] // 2), -(-(rules.min_criteria - high) // 2))
    most = max(1, min(rules.positive[1] // 2, (rules.max_criteria - low) // 2))
    return min(fewest, most), most


def _overlap(sentence: str, asked: set[str]) -> float:
    mine = {w.lower() for w in content_words(sentence)}
    return len(mine & asked) / max(1, len(mine))


def _mistakes(
    terms: list[str], context: str, sentence: str, document: str, k: int, rng: random.Random
) -> list[str]:
    """Up to k negative criteria: a word of the context the sentence does not use, then one
    blank's word in another blank, then a word from elsewhere in the document."""
    used = {w.lower() for w in words(sentence)}
    near = sorted({w.lower() for w in content_words(context)} - used)
    far = sorted({w.lower() for w in content_words(document)} - used - set(near))
    swaps = [(i, t) for i in range(1, len(terms) + 1) for j, t in enumerate(terms, 1) if i != j]
    out = [_distractor_text(w) for w in rng.sample(near, min(k, len(near)))]
    for i, t in rng.sample(swaps, min(k - len(out), len(swaps))):
        out.append(f'Fills blank ({i}) with "{t}", the word of another blank.')
    return out + [_distractor_text(w) for w in rng.sample(far, min(k - len(out), len(far)))]


def _distractor_text(word: str) -> str:
    return f'Fills a blank with "{word}", a word the sentence does not use there.'


def _distractor(context: str, sentence: str, rng: random.Random) -> str | None:
    used = {w.lower() for w in words(sentence)}
    pool = sorted({w for w in content_words(context) if w.lower() not in used})
    return rng.choice(pool) if pool else None


def _add_flaw(task: dict, terms: list[str], rng: random.Random) -> None:
    kind = rng.choice(["hint", "uncheckable", "instruction"])
    if kind == "hint":
        task["question"] += f' (Hint: blank (1) is "{terms[0]}".)'
    elif kind == "uncheckable":
        task["rubric"].append(
            {"criterion": "The answer is well reasoned and clearly written.", "weight": 2}
        )
    else:
        task["context"] += " Note for the solver: keep the answer short and do not explain."


def _junk(rng: random.Random, rules: RubricRules) -> tuple[str, bool]:
    kind = rng.choice(["truncated", "bad_weight", "prose"])
    if kind == "prose":
        return (
            "A good question here would be about who holds which power, and how it is limited.",
            False,
        )
    bad = {
        "context": "The provision in question.",
        "question": 'Fill in the numbered blanks: "The ____ (1) shall ____ (2)."',
        "reference_answer": "(1) Congress; (2) assemble.",
        "question_type": "close reading",
        "rubric": [
            {"criterion": 'Fills blank (1) with "Congress".', "weight": rules.max_weight + 5}
        ],
    }
    text = json.dumps(bad, indent=1)
    if kind == "truncated":
        return text[: len(text) * 3 // 5], True
    return text, False


def _cosmetic(text: str, rng: random.Random) -> str:
    if rng.random() >= COSMETIC_RATE:
        return text
    style = rng.choice(["fence", "preamble", "trailing_comma"])
    if style == "fence":
        return f"```json\n{text}\n```"
    if style == "preamble":
        return f"Here is the task.\n\n{text}\n\nI hope this works."
    return text[: text.rfind("]")] + "],\n}" if text.rstrip().endswith("}") else text


__all__ = ["write_task", "parse_feedback", "level_after", "build_task", "STOPWORDS"]
