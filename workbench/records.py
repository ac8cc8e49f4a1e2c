"""Append-only JSONL: one flushed, fsynced line per record; torn last lines dropped on read."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class Appender:
    """Appends records to a JSONL file; each line is on disk before `append` returns."""

    def __init__(self, path: Path, fsync: bool = True):
        self.path = path
        self.fsync = fsync
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run

    def append(self, record: Any) -> None:
        self._file.write(dumps(record) + "\n")
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All complete records; a torn final line (no newline, or not JSON) is dropped."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    # The text after the last newline was never acknowledged: a torn write, dropped.
    complete = lines[:-1]
    out = []
    for n, line in enumerate(complete, 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            raise ValueError(f"{path}:{n}: corrupt record in the middle of the file") from None
    return out


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace `path` with `data` so a reader never sees a half-written file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
