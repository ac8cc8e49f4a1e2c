"""A small JSON file next to the call cache where the workbench remembers what endpoints need.

Reading a damaged or missing file gives an empty memory (only a slower start); writing merges
with what other runs learned and never stops a run (a read-only folder is fine)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def read_memory(path: Path | None) -> dict[str, Any]:
    """The file's JSON object ({} when absent, unreadable or not an object)."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_memory(path: Path | None, merged: dict[str, Any]) -> None:
    """Replace the file atomically with `merged`; an OSError is ignored (an optimisation)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(merged, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass
