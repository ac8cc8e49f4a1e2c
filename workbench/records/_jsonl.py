"""Append-only JSONL: one whole, flushed, fsynced line per record; torn last lines dropped on
read. A write that fails (a full disk, an I/O error) leaves no partial line and no temp file
behind: it raises `WriteFailed`, one line naming the file, and the run stops resumable."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from workbench.errors import StopRun


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class WriteFailed(StopRun):
    """Writing into the run directory failed (no space left, quota, read-only, I/O error).

    A StopRun (status `io_error`): the run stops cleanly, everything written before is whole,
    and `workbench run --resume RUN_DIR` continues once the cause is fixed."""

    def __init__(self, path: Path, exc: OSError, hint: str = "free space and try again"):
        self.path = Path(path)
        self.errno = exc.errno
        what = (exc.strerror or str(exc) or type(exc).__name__).strip()
        what = what[:1].lower() + what[1:]
        self.strerror = what
        super().__init__("io_error", f"{what} writing {self.path}; {hint}")


def resume_hint(run_dir: Path) -> str:
    """What to do after a failed write into a run directory."""
    return f"free space and resume with: workbench run --resume {run_dir}"


def write_all(fd: int, data: bytes) -> None:
    """Every byte of `data` to `fd` (os.write may write fewer than asked)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class Appender:
    """Appends records to a JSONL file.

    Every line is written whole to the OS before `append` returns, so a killed process
    loses nothing; if the write fails the file is cut back to where the line began (a full
    disk leaves no partial line) and `WriteFailed` is raised. `fsync_every_s` = 0 also fsyncs
    every line (safe against power loss); a positive value fsyncs at most that often (and at
    close), for high-rate logs such as calls.jsonl. `background`: the fsync of each line runs
    on a thread of its own right after the write (one fsync covers every line written since
    the last), so a run's event loop never waits milliseconds for the disk.
    """

    def __init__(
        self,
        path: Path,
        fsync_every_s: float = 0.0,
        hint: str | None = None,
        background: bool = False,
    ):
        self.path = Path(path)
        self.fsync_every_s = fsync_every_s
        self.hint = hint or "free space and try again"
        """What a failed write's message tells the user to do."""
        self._last_sync = time.monotonic()
        self.failed: WriteFailed | None = None
        try:
            self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WriteFailed(self.path, exc, self.hint) from None
        self._syncer = _Syncer(self._fd) if background else None

    @property
    def closed(self) -> bool:
        return self._fd is None

    def append(self, record: Any) -> None:
        if self.failed is not None:
            raise self.failed  # nothing more after a failed line: the file stays a prefix
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        if hasattr(record, "model_dump"):
            record = record.model_dump(mode="json")
        line = (dumps(record) + "\n").encode("utf-8")
        start = None
        try:
            start = os.lseek(self._fd, 0, os.SEEK_END)
            write_all(self._fd, line)
            now = time.monotonic()
            if self._syncer is not None:
                self._syncer.wanted.set()
            elif now - self._last_sync >= self.fsync_every_s:
                os.fsync(self._fd)
                self._last_sync = now
        except OSError as exc:
            self._cut_back(start)
            self.failed = WriteFailed(self.path, exc, self.hint)
            raise self.failed from None

    def _cut_back(self, size: int | None) -> None:
        """Drop the part of a line that failed to write (best effort: a resume drops a torn
        last line anyway)."""
        if size is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, size)

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if self._syncer is not None:
            self._syncer.stop()
        try:
            if self.failed is None:
                os.fsync(fd)
        except OSError as exc:
            self.failed = WriteFailed(self.path, exc, self.hint)
            raise self.failed from None
        finally:
            os.close(fd)


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


def write_json_atomic(path: Path, data: Any, hint: str | None = None) -> None:
    """Replace `path` with `data` so a reader never sees a half-written file. On failure the
    temp file is removed, `path` is left as it was, and `WriteFailed` is raised."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", hint)


def write_text_atomic(path: Path, text: str, hint: str | None = None) -> None:
    """Replace `path` with `text` atomically (see `write_json_atomic`)."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise WriteFailed(path, exc, hint or "free space and try again") from None
