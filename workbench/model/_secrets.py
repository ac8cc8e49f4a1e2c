"""Keep key values out of everything the workbench writes."""

from __future__ import annotations

import os
import re

_SECRET_NAME = re.compile(r"(API_KEY|_TOKEN|_SECRET|PASSWORD|ACCESS_KEY)", re.IGNORECASE)
_extra_names: set[str] = set()


def declare(names: list[str | None]) -> None:
    """Register environment variable names that hold keys (from `api_key_env`)."""
    _extra_names.update(n for n in names if n)


def secret_values() -> list[str]:
    """Values of every key-like environment variable, longest first."""
    values = {
        value
        for name, value in os.environ.items()
        if (name in _extra_names or _SECRET_NAME.search(name)) and len(value) >= 6
    }
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with any key value replaced by [REDACTED]."""
    for value in secret_values():
        if value in text:
            text = text.replace(value, "[REDACTED]")
    return text
