"""JSON schemas sent with structured-output requests.

Tighter than the pydantic models they are validated with: weight ranges and
item counts from the config, booleans where the judge must decide, so
constrained decoders (llama.cpp's grammars) keep small models inside the
lines. No string lengths: llama.cpp expands maxLength into a grammar rule per
character. Pure.
"""

from __future__ import annotations

from typing import Any


def _string(max_length: int) -> dict[str, Any]:
    """A string field; `max_length` documents intent but is not sent (see module doc)."""
    return {"type": "string"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}
