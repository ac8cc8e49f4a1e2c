"""Long documents split into sections: on headings, then blank lines, then sentences, then a
hard cut, each section at most `chunk_tokens` (estimated) tokens. Pure and deterministic.

A section is a Document of its own, `<parent>#s<k>` (1-based), that names its `parent`;
a document that fits is not split and keeps its id. The text of a section is a stretch of
the parent's text as it is (only the whitespace at its ends is trimmed)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from workbench.inputs._documents import Document, check_unique

CHARS_PER_TOKEN = 3
"""The estimate's ratio: one token per 3 characters (English runs nearer 4, so it over-counts)."""

MAX_HEADING_CHARS = 80
"""Longest line taken as a heading."""

_NUMBERED = r"(?:[0-9]+[A-Za-z]?|[IVXLCDM]+|[A-Z])"
_HEADING = re.compile(
    r"#{1,6}\s+\S.*"  # markdown
    rf"|(?:(?i:article|section|part|chapter|title|book|division|subpart)(?:\.\s*|\s+)|§\s*)"
    rf"{_NUMBERED}\b.*"
    rf"|{_NUMBERED}\.(?:\s.*)?"  # "I.", "3.", "A." (with a short title, or none)
)
_BLANK_RUN = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def text_tokens(text: str) -> int:
    """A text's tokens, estimated the one way the workbench estimates them before a call
    (characters / 3, an upper bound for English; the budget's request estimate uses it too)."""
    return len(text) // CHARS_PER_TOKEN


def is_heading(line: str) -> bool:
    """A line that starts a part of a document: `I.`, `Section 3`, `Article. II.`, `PART II`,
    a markdown `#` heading, or a short all-capitals line (`OPINION OF THE COURT`)."""
    s = line.strip()
    if not s or len(s) > MAX_HEADING_CHARS:
        return False
    if _HEADING.fullmatch(s):
        return True
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and s.upper() == s and not s.endswith((",", ";"))


_SECTION_ID = re.compile(r"(.*)#s([1-9][0-9]*)")


def section_order(doc_id: str) -> tuple[str, int]:
    """A sort key that puts a document's sections in their order (`#s2` before `#s10`),
    right after the document's own id. Pure."""
    m = _SECTION_ID.fullmatch(doc_id)
    return (m.group(1), int(m.group(2))) if m else (doc_id, 0)


def split_documents(docs: Iterable[Document], chunk_tokens: int | None) -> list[Document]:
    """Every document longer than `chunk_tokens` replaced by its sections, in order
    (None: no splitting)."""
    out: list[Document] = []
    for doc in docs:
        out.extend(doc_sections(doc, chunk_tokens) if chunk_tokens else [doc])
    check_unique(out)  # a section id may collide with a document named like one
    return out


def doc_sections(doc: Document, chunk_tokens: int) -> list[Document]:
    """`doc` as sections `<id>#s1`, `<id>#s2` ... of at most `chunk_tokens` tokens, or `[doc]`
    when it fits."""
    if text_tokens(doc.text) <= chunk_tokens:
        return [doc]
    parts = split_text(doc.text, chunk_tokens)
    return [
        Document(f"{doc.id}#s{k}", text, doc.source, parent=doc.id)
        for k, text in enumerate(parts, 1)
    ]


def split_text(text: str, max_tokens: int) -> list[str]:
    """`text` cut into consecutive non-empty pieces of at most `max_tokens` tokens each,
    preferring heading boundaries, then paragraphs (blank lines), then sentences."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    spans = _pack(text, 0, len(text), 0, max_tokens)
    pieces = (text[start:end].strip() for start, end in spans)
    return [p for p in pieces if p]


Span = tuple[int, int]


def _pack(text: str, start: int, end: int, level: int, limit: int) -> list[Span]:
    """Consecutive spans covering [start, end): pieces of this level packed greedily while
    they fit; a piece that does not fit alone is split at the next level."""
    if _fits(text, start, end, limit):
        return [(start, end)]
    if level == len(_LEVELS):
        return _hard_cut(text, start, end, limit)
    pieces = _LEVELS[level](text, start, end)
    if len(pieces) <= 1:
        return _pack(text, start, end, level + 1, limit)
    out: list[Span] = []
    current: Span | None = None
    for s, e in pieces:
        if current is not None and _fits(text, current[0], e, limit):
            current = (current[0], e)
            continue
        if current is not None and not _fits(text, s, e, limit) and _heading_only(text, *current):
            s, current = current[0], None  # a heading goes with the text under it
        if current is not None:
            out.append(current)
            current = None
        if _fits(text, s, e, limit):
            current = (s, e)
        else:
            out.extend(_pack(text, s, e, level + 1, limit))
    if current is not None:
        out.append(current)
    return out


def _fits(text: str, start: int, end: int, limit: int) -> bool:
    return text_tokens(text[start:end].strip()) <= limit


def _cuts(start: int, end: int, points: Iterable[int]) -> list[Span]:
    """[start, end) cut at `points` (strictly inside it) into consecutive spans."""
    bounds = [start, *sorted(p for p in set(points) if start < p < end), end]
    return list(zip(bounds, bounds[1:], strict=False))


def _at_headings(text: str, start: int, end: int) -> list[Span]:
    """Cut before each heading that follows some body text (a run of headings, `Article. II.`
    then `Section. 1.`, stays with the text under it)."""
    points = []
    pos = start
    body = False  # body text since the last cut
    for line in text[start:end].splitlines(keepends=True):
        if is_heading(line):
            if body:
                points.append(pos)
                body = False
        elif line.strip():
            body = True
        pos += len(line)
    return _cuts(start, end, points)


def _heading_only(text: str, start: int, end: int) -> bool:
    return all(is_heading(line) for line in text[start:end].splitlines() if line.strip())


def _at_paragraphs(text: str, start: int, end: int) -> list[Span]:
    return _cuts(start, end, (m.end() for m in _BLANK_RUN.finditer(text, start, end)))


def _at_sentences(text: str, start: int, end: int) -> list[Span]:
    return _cuts(start, end, (m.end() for m in _SENTENCE_END.finditer(text, start, end)))


def _hard_cut(text: str, start: int, end: int, limit: int) -> list[Span]:
    """The last resort: pieces of at most `limit` tokens, cut at the last whitespace in reach
    (or mid-word when there is none)."""
    width = max(1, limit * CHARS_PER_TOKEN)
    out: list[Span] = []
    while start < end:
        while start < end and text[start].isspace():
            start += 1
        stop = min(end, start + width)
        if stop < end:
            space = max(text.rfind(" ", start, stop + 1), text.rfind("\n", start, stop + 1))
            if space > start:
                stop = space
        if stop > start:
            out.append((start, stop))
        start = stop
    return out


_LEVELS: tuple[Callable[[str, int, int], list[Span]], ...] = (
    _at_headings,
    _at_paragraphs,
    _at_sentences,
)
