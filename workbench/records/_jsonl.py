"""Append-only JSONL: one flushed, fsynced line per record; torn last lines dropped on read."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class Appender:
    """Appends records to a JSONL file.

    Every line is flushed to the OS before `append` returns, so a killed process
    loses nothing. `fsync_every_s` = 0 also fsyncs every line (safe against power
    loss); a positive value fsyncs at most that often (and at close), for
    high-rate logs such as calls.jsonl. `background`: the fsync of each line runs on
    a thread of its own right after the write (one fsync covers every line written
    since the last), so a run's event loop never waits milliseconds for the disk.
    """

    def __init__(self, path: Path, fsync_every_s: float = 0.0, background: bool = False):
        self.path = path
        self.fsync_every_s = fsync_every_s
        self._last_sync = time.monotonic()
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run
        self._syncer = _Syncer(self._file.fileno()) if background else None

    def append(self, record: Any) -> None:
        if hasattr(record, "model_dump"):
            record = record.model_dump(mode="json")
        self._file.write(dumps(record) + "\n")
        self._file.flush()
        if self._syncer is not None:
            self._syncer.wanted.set()
            return
        now = time.monotonic()
        if now - self._last_sync >= self.fsync_every_s:
            os.fsync(self._file.fileno())
            self._last_sync = now

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            if self._syncer is not None:
                self._syncer.stop()
            os.fsync(self._file.fileno())
            self._file.close()


class _Syncer(threading.Thread):
    """Fsyncs a file descriptor whenever lines were written since its last fsync."""

    def __init__(self, fd: int):
        super().__init__(daemon=True, name="jsonl-fsync")
        self.fd = fd
        self.wanted = threading.Event()
        self._stopping = False
        self.start()

    def run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            # close() fsyncs once more and reports a real disk error there.
            with contextlib.suppress(OSError):
                os.fsync(self.fd)
            if self._stopping:
                return

    def stop(self) -> None:
        self._stopping = True
        self.wanted.set()
        self.join()


def numbered_lines(path: Path):
    """(line number, text) of each complete, non-blank line; the text after the last newline
    was never acknowledged (a torn write) and is dropped."""
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines[:-1], 1):
        if line.strip():
            yield n, line


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All complete lines as JSON values; a torn final line is dropped."""
    out = []
    for n, line in numbered_lines(path):
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
