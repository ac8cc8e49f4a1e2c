"""What calls return: a backend's `Reply`, `complete()`'s `Completion`, and call metadata.

A leaf: backends and the client both build on these types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MAX_REPLY_CHARS = 1_000_000
"""Longer replies are refused: no answer in this loop needs a megabyte, and a hostile or broken
endpoint must not fill the disk, the cache or memory."""


class ReplyTooLarge(Exception):
    """A reply over MAX_REPLY_CHARS: not retried, nothing of it stored."""


def checked_reply(
    text: Any,
    finish_reason: Any,
    prompt_tokens: Any,
    completion_tokens: Any,
    reasoning_tokens: Any = None,
    cached_prompt_tokens: Any = None,
    cache_creation_tokens: Any = None,
) -> Reply:
    """A backend's raw fields as a `Reply`: text capped, token counts non-negative ints or None
    (an endpoint's usage figures are untrusted too: they feed budgets and summaries).
    `reasoning_tokens` are part of `completion_tokens` (as OpenAI counts them): capped there.
    `cached_prompt_tokens` (read from the provider's prompt cache) and `cache_creation_tokens`
    (written to it) are part of `prompt_tokens`: capped there, together (0 when not said)."""
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyTooLarge(f"reply of {len(text):,} characters (limit {MAX_REPLY_CHARS:,})")
    return Reply(
        text=text,
        finish_reason=finish_reason if isinstance(finish_reason, str) else None,
        prompt_tokens=_count(prompt_tokens),
        completion_tokens=_count(completion_tokens),
        reasoning_tokens=_reasoning(reasoning_tokens, _count(completion_tokens)),
        **_cache_split(_count(prompt_tokens), cached_prompt_tokens, cache_creation_tokens),
    )


@dataclass(frozen=True)
class CallMeta:
    """Where a call belongs in the run, for calls.jsonl."""

    role: str
    doc_id: str
    round: int
    rollout: int = 0
    """The rollout index (solver and judge calls); 0 for the other roles."""
    side: str | None = None
    """For judge calls: whose answer is graded (`weak` or `strong`)."""
    evaluation: int = 0
    """Solver and judge calls: which run of the round's evaluation (0 the first; a re-run
    after an infrastructure failure, `retry.evaluations`, gets its own call seed)."""
    stage: str | None = None
    """`filter` for the final filter's calls; None for the loop's."""


@dataclass(frozen=True)
class Reply:
    """What a backend returns for one request."""

    text: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None = None
    """Of `completion_tokens`, those spent thinking (None: the endpoint did not say)."""
    cached_prompt_tokens: int = 0
    """Of `prompt_tokens`, those read from the provider's prompt cache (billed at its cache-read
    price: OpenAI `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`)."""
    cache_creation_tokens: int = 0
    """Of `prompt_tokens`, those written to the provider's prompt cache (Anthropic
    `cache_creation_input_tokens`, billed above the input price)."""


@dataclass(frozen=True)
class Completion:
    """What `complete()` returns."""

    text: str
    parsed: Any
    calls: int


Backend = Callable[..., Awaitable[Reply]]


MAX_TOKENS_PER_CALL = 10**9


def _count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return value if ok and 0 <= value <= MAX_TOKENS_PER_CALL else None


def _reasoning(value: Any, completion: int | None) -> int | None:
    count = _count(value)
    if count is None or completion is None:
        return count
    return min(count, completion)


def _cache_split(prompt: int | None, cached: Any, creation: Any) -> dict[str, int]:
    """Cache reads and writes as counts within the prompt: each non-negative, their sum at
    most `prompt_tokens` (reads kept first); 0 without a prompt count."""
    read, written = _count(cached) or 0, _count(creation) or 0
    if prompt is None:
        return {"cached_prompt_tokens": 0, "cache_creation_tokens": 0}
    read = min(read, prompt)
    return {"cached_prompt_tokens": read, "cache_creation_tokens": min(written, prompt - read)}
