"""Fences for untrusted text in prompts: documents and everything a model wrote. Pure.

Each block is `<name id="BOUNDARY">` … `</name id="BOUNDARY">`, with a boundary drawn per task
(deterministic from the run seed, document and round, so cached calls stay cached and every
judge prompt of one task shares its prefix). Inside a block, any occurrence of the boundary and
any tag-like `<name` / `</name` of a fence name is neutralised, so content can neither close its
own fence nor open a block of its own: a block with the boundary always comes from the workbench.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

FENCE_NAMES = (
    "document",
    "feedback",
    "context",
    "question",
    "reference_answer",
    "notes",
    "rubric",
    "answer",
    "prompt",
    "analysis",
)
"""Tag names that fence data in the bundled prompts."""
BOUNDARY_CHARS = 12
REMOVED = "[fence id removed]"
"""What an occurrence of the boundary inside content becomes (its brackets are not hex digits,
so no new occurrence can form around it)."""


def draw_boundary(*parts: Any) -> str:
    """A boundary of 12 hex digits drawn from `parts` (e.g. seed, document id, round, scope):
    the same parts always give the same boundary."""
    key = json.dumps([str(p) for p in parts]).encode()
    return hashlib.sha256(b"workbench-fence\0" + key).hexdigest()[:BOUNDARY_CHARS]


def cache_break(boundary: str) -> str:
    """The marker a template places where a prompt's shared prefix ends (`{{ cache_break }}`):
    taken out before the prompt is sent. It holds the boundary, which no content can hold, so
    no document or model output can move the split."""
    return f'<cache-break id="{boundary}">'


def _tag_pattern(names: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"<(\s*/?\s*(?:{alternatives}))(?![A-Za-z0-9_-])", re.IGNORECASE)


_TAGS = _tag_pattern(FENCE_NAMES)


def neutralise(text: str, boundary: str, names: Sequence[str] | None = None) -> str:
    """`text` with every occurrence of `boundary` (any case) replaced and every `<name` or
    `</name` of a fence name escaped as `&lt;name`. Idempotent."""
    text = re.sub(re.escape(boundary), REMOVED, str(text), flags=re.IGNORECASE)
    tags = _TAGS if names is None else _tag_pattern(names)
    return tags.sub(r"&lt;\1", text)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces: a model-written item in a
    numbered list cannot start a line of its own."""
    return " ".join(str(text).split())


def fence(name: str, text: str, boundary: str, names: Sequence[str] | None = None) -> str:
    """`text`, neutralised, inside a `name` block marked with `boundary`."""
    return (
        f'<{name} id="{boundary}">\n{neutralise(text, boundary, names)}\n</{name} id="{boundary}">'
    )


def safe_criteria(rubric: Iterable[dict[str, Any]], boundary: str) -> list[dict[str, Any]]:
    """Criteria as templates may show them: each text on one line and neutralised."""
    return [
        {"criterion": neutralise(one_line(c["criterion"]), boundary), "weight": c["weight"]}
        for c in rubric
    ]


def rubric_block(rubric: Iterable[dict[str, Any]], boundary: str, weights: bool) -> str:
    """The fenced, numbered rubric (`1. [5] text` with weights, `1. text` without)."""
    lines = [
        f"{i}. [{c['weight']}] {c['criterion']}" if weights else f"{i}. {c['criterion']}"
        for i, c in enumerate(safe_criteria(rubric, boundary), 1)
    ]
    return fence("rubric", "\n".join(lines), boundary)
