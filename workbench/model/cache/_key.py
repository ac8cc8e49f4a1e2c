"""Where the call cache lives, what keys an entry, and the digest that proves an entry intact.

The key covers everything that decides a reply: model, api_base, messages,
generation parameters, response format and the rollout index, so rollouts stay
distinct and a rerun or a resumed run hits. The digest covers the key and the
stored reply text: an entry whose bytes changed (an edit, a bad sector, a
stray write) no longer matches it and is never served.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from workbench.model._prompt import message_text

# Request fields that do not change the reply (or must never be stored).
_NOT_KEYED = {"api_key", "timeout", "drop_params", "max_retries", "metadata"}

DIGEST = "blake2b-256"
"""The digest every entry carries (named in `workbench cache stats`)."""


def default_path() -> Path:
    """$WORKBENCH_CACHE_DIR/calls.sqlite, else $XDG_CACHE_HOME (or ~/.cache)/workbench/calls.sqlite."""
    root = os.environ.get("WORKBENCH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "workbench"
    )
    return Path(root) / "calls.sqlite"


def cache_key(request: dict[str, Any], rollout: int) -> str:
    """A stable hash of the request's reply-deciding fields plus the rollout index."""
    keyed = {k: v for k, v in request.items() if k not in _NOT_KEYED}
    if isinstance(keyed.get("messages"), list):
        # A prompt cut into blocks for the provider's prompt cache is the same prompt: keyed by
        # its text, so `cache_prompt` on or off hits the same entry.
        keyed["messages"] = [_plain(m) for m in keyed["messages"]]
    keyed["_rollout"] = rollout
    blob = json.dumps(keyed, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _plain(message: Any) -> Any:
    if not isinstance(message, dict):
        return message
    return {**message, "content": message_text(message.get("content"))}


def entry_digest(key: str, reply: str) -> str:
    """The digest of one entry: its key and its stored reply text, length-prefixed so no
    split of the same bytes between the two gives the same digest."""
    h = hashlib.blake2b(digest_size=32)
    for part in (key.encode(), reply.encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def intact(key: str, reply: str | None, digest: str | None) -> bool:
    """True when the stored entry is provably what was written (a legacy entry without a
    digest cannot be proven and is not)."""
    return isinstance(reply, str) and isinstance(digest, str) and entry_digest(key, reply) == digest
