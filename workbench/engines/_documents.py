"""The documents a run reads: loaded, long ones split into sections (`documents.chunk_tokens`),
and each checked to fit the challenger (`documents.max_tokens`, its context window less room
for its prompt and reply) before any call: a document that does not fit is one line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbench.config import MIN_CHUNK_TOKENS, RunConfig
from workbench.errors import DocumentError
from workbench.inputs import Document, PromptSet, load_documents, split_documents, text_tokens
from workbench.model import context_window, estimate_tokens
from workbench.roles import SAMPLE_VARIABLES


def read_documents(docs: Iterable[Any] | None, cfg: RunConfig) -> list[Document]:
    """The documents a run with `cfg` reads (None: the bundled examples), split into sections
    when `documents.chunk_tokens` is set. The same inputs give the same ids and texts."""
    loaded = load_documents(docs, cfg.documents.max_chars)
    return split_documents(loaded, cfg.documents.chunk_tokens)


@dataclass(frozen=True)
class TokenLimit:
    """The most tokens a document may have, and where that number comes from."""

    tokens: int
    why: str


def token_limit(max_tokens: int | None, window: int | None, room: int) -> TokenLimit | None:
    """The tighter of `documents.max_tokens` and the context window less `room` (the
    challenger's prompt without the document, and its reply); None when neither is known. Pure."""
    limits = []
    if max_tokens is not None:
        limits.append(TokenLimit(max_tokens, "documents.max_tokens"))
    if window is not None:
        limits.append(
            TokenLimit(
                max(0, window - room),
                f"context window {window:,} less {room:,} for the prompt and the reply",
            )
        )
    return min(limits, key=lambda limit: limit.tokens) if limits else None


def too_long(doc: Document, limit: TokenLimit | None, model: str, chunk_tokens: int | None) -> str:
    """Why `doc` cannot be given to the challenger `model`, in one line ("" when it fits). Pure."""
    size = text_tokens(doc.text)
    if limit is None or size <= limit.tokens:
        return ""
    where = f"document {doc.id} is {size:,} tokens, over the {limit.tokens:,}-token limit of the challenger {model} ({limit.why})"
    if limit.tokens < MIN_CHUNK_TOKENS:
        return (
            f"{where}: that leaves too little for any section; raise documents.max_tokens, or "
            "use a challenger with a larger window or a lower models.challenger.max_tokens"
        )
    if chunk_tokens:
        return f"{where}: set documents.chunk_tokens to at most {limit.tokens:,} (now {chunk_tokens:,})"
    hint = min(limit.tokens, 4000)
    return f"{where}: set documents.chunk_tokens (e.g. --set documents.chunk_tokens={hint}) to split it into sections"


def prompt_room(cfg: RunConfig, prompts: PromptSet) -> int:
    """Tokens of a challenger call that are not the document: its prompt rendered around an
    empty document (with the sample feedback of a later round), and its reply's cap."""
    variables = SAMPLE_VARIABLES["challenger"] | {
        "document": "",
        "max_rounds": cfg.max_rounds,
        "rubric": cfg.rubric.model_dump(),
    }
    text = prompts.render("challenger", **variables)
    request = {
        "messages": [{"role": "user", "content": text}],
        "max_tokens": cfg.models.challenger.max_tokens,
    }
    prompt, reply = estimate_tokens(request)
    return prompt + reply


def check_fit(documents: list[Document], cfg: RunConfig, prompts: PromptSet) -> None:
    """Raise DocumentError, in one line, for the first document too long for the challenger."""
    spec = cfg.models.challenger
    limit = token_limit(cfg.documents.max_tokens, context_window(spec), prompt_room(cfg, prompts))
    for doc in documents:
        problem = too_long(doc, limit, spec.model, cfg.documents.chunk_tokens)
        if problem:
            raise DocumentError(problem)
