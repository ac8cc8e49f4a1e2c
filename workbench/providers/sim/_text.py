"""Text helpers for the simulator: sentences, words, and a prompt's fenced blocks."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.;:])\s+|\n{2,}")
_HEADING = re.compile(r"^(article|section|clause|amendment)\b[\w .:]*$", re.IGNORECASE)
_CLAUSE_PREFIX = re.compile(r"^clause \d+:\s*", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
BLANK = re.compile(r"_{3,}\s*\((\d+)\)")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "each",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "may",
        "might",
        "more",
        "most",
        "must",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "out",
        "over",
        "own",
        "same",
        "shall",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "unto",
        "upon",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
        "said",
        "such",
        "every",
        "either",
        "neither",
        "thereof",
        "therein",
        "thereto",
        "whereof",
    ]
)


def sentences(document: str, min_words: int = 8) -> list[str]:
    """Sentences of a document long enough to ask about, headings dropped."""
    out = []
    for part in _SENTENCE_END.split(document):
        text = " ".join(part.split())
        if not text or _HEADING.match(text):
            continue
        text = _CLAUSE_PREFIX.sub("", text)
        if len(WORD.findall(text)) >= min_words:
            out.append(text)
    return out


def words(text: str) -> list[str]:
    return WORD.findall(text)


def content_words(text: str) -> list[str]:
    """Words worth asking about: not stopwords, at least four letters."""
    return [w for w in WORD.findall(text) if len(w) >= 4 and w.lower() not in STOPWORDS]


_FENCE = re.compile(r'<([a-z_]+) id="([0-9a-f]{12})">')


def boundary_of(prompt: str) -> str | None:
    """The prompt's fence id: the id of its first fenced block (the workbench puts its data
    blocks first, and content can never contain a fence tag), or None."""
    m = _FENCE.search(prompt)
    return m.group(2) if m else None


def block(text: str, tag: str) -> str | None:
    """The contents of the prompt's `<tag id="B">…</tag id="B">` block, B its boundary, stripped;
    None if there is none. Unfenced tags (inside data, or in a prompt without fences) are
    never read as blocks, as a careful model reads only what the boundary marks."""
    b = boundary_of(text)
    if b is None:
        return None
    m = re.search(rf'<{tag} id="{b}">\n?(.*?)\n?</{tag} id="{b}">', text, re.DOTALL)
    return m.group(1).strip() if m else None


def template_block(text: str, tag: str) -> str | None:
    """A fenced block, or else a plain `<tag>…</tag>` written by the template itself (a template
    from before fences): looked for only outside the fenced blocks, where no content can be."""
    fenced = block(text, tag)
    if fenced is not None:
        return fenced
    m = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", outside(text), re.DOTALL)
    return m.group(1).strip() if m else None


def outside(text: str) -> str:
    """The prompt without its fenced blocks: the instructions, where rules are read from."""
    b = boundary_of(text)
    if b is None:
        return text
    return re.sub(rf'<([a-z_]+) id="{b}">.*?</\1 id="{b}">', "", text, flags=re.DOTALL)


def quoted(text: str) -> str | None:
    """The first double-quoted phrase in `text`."""
    m = re.search(r"[\"“]([^\"”]+)[\"”]", text)
    return m.group(1) if m else None


def contains_word(text: str, word: str) -> bool:
    return (
        re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text, re.IGNORECASE) is not None
    )
