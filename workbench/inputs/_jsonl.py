"""User-supplied JSONL (documents, eval benchmarks): one JSON object per line, checked."""

from __future__ import annotations

import json
from pathlib import Path


def input_rows(text: str, where: str | Path, error: type[Exception]):
    """(line number, object) for each non-blank line of user-supplied JSONL; a line that is not
    a JSON object raises `error` naming the file and line."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{where}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise error(f"{where}:{n}: each line must be a JSON object")
        yield n, row
