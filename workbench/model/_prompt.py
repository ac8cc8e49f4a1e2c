"""A prompt that knows where its shared prefixes end, and the user message built from it. Pure.

A role renders its template with a marker where the part shared with other calls ends (every
rollout of a task; every answer judged against one rubric; every criterion of one answer).
`split_at` removes the markers and keeps their offsets; a model with `cache_prompt` on gets
one text block per part, the shared ones marked `cache_control: {"type": "ephemeral"}`
(Anthropic's prompt caching, through LiteLLM). Everywhere else the prompt is the plain string
it always was, so the call cache keys, records and simulator see the same text."""

from __future__ import annotations

from typing import Any

EPHEMERAL = {"type": "ephemeral"}
MAX_CACHE_POINTS = 4
"""Anthropic refuses a request with more `cache_control` blocks than this."""


class SplitPrompt(str):
    """A prompt (a `str` everywhere) with the offsets where its shared prefixes end."""

    prefix_ends: tuple[int, ...]

    def __new__(cls, text: str, prefix_ends: tuple[int, ...] = ()) -> SplitPrompt:
        out = super().__new__(cls, text)
        out.prefix_ends = tuple(prefix_ends)
        return out


def split_at(text: str, marker: str) -> str:
    """`text` without `marker`, as a `SplitPrompt` ending a shared prefix wherever a marker
    stood; plain `text` when it holds none (a template that does not place the marker)."""
    if not marker or marker not in text:
        return text
    pieces = text.split(marker)
    ends, at = [], 0
    for piece in pieces[:-1]:
        at += len(piece)
        ends.append(at)
    return SplitPrompt("".join(pieces), tuple(sorted(set(ends))))


def prefix_ends(prompt: str) -> tuple[int, ...]:
    """Where `prompt`'s shared prefixes end (none for a plain string)."""
    return getattr(prompt, "prefix_ends", ())


def user_message(content: str, ends: tuple[int, ...] = ()) -> dict[str, Any]:
    """The user message: a plain string, or with `ends`, text blocks cut there, each block that
    ends a shared prefix marked for caching. A piece of only whitespace joins the block before
    (Anthropic refuses blank text blocks); at most `MAX_CACHE_POINTS` marks (the longest
    prefixes kept)."""
    cuts = sorted({e for e in ends if 0 < e <= len(content)})
    pieces: list[list] = []  # [text, shared]
    start = 0
    for end in [*cuts, len(content)]:
        piece, start = content[start:end], end
        if not piece:
            continue
        if pieces and not piece.strip():
            pieces[-1][0] += piece
        else:
            pieces.append([piece, end in cuts])
    shared = [i for i, (_, is_shared) in enumerate(pieces) if is_shared][-MAX_CACHE_POINTS:]
    if not shared:
        return {"role": "user", "content": content}
    blocks = []
    for i, (piece, _) in enumerate(pieces):
        block: dict[str, Any] = {"type": "text", "text": piece}
        if i in shared:
            block["cache_control"] = dict(EPHEMERAL)
        blocks.append(block)
    return {"role": "user", "content": blocks}


def message_text(content: Any) -> str:
    """A message's content as the one string it stands for: text blocks joined as they were
    cut (no separator), anything else as it is."""
    if isinstance(content, list) and all(
        isinstance(b, dict) and b.get("type") == "text" for b in content
    ):
        return "".join(str(b.get("text", "")) for b in content)
    return content
