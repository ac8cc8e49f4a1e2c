"""One process at a time per run directory: an advisory lock on the directory itself."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from workbench.errors import RunDirError


class RunLock:
    """Held while a run writes to RUN_DIR; a second run or resume of it fails at once."""

    def __init__(self, run_dir: Path):
        run_dir = Path(run_dir)
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
            self._fd: int | None = os.open(run_dir, os.O_RDONLY)
        except OSError as exc:
            raise RunDirError(f"cannot use {run_dir}: {exc.strerror}") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise RunDirError(
                f"{run_dir} is in use by another workbench run (wait for it, or stop it first)"
            ) from None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def discard_stale(run_dir: Path) -> None:
    """Remove what a killed creation of RUN_DIR left (SIGKILL skips every cleanup): its
    temporary directories that no live process holds."""
    for stale in run_dir.parent.glob(f".{run_dir.name}.*.creating"):
        try:
            lock = RunLock(stale)
        except RunDirError:
            continue  # being made right now by another process
        discard(stale, lock)


def discard(tmp: Path, lock: RunLock) -> None:
    """Remove a run directory that was not finished (deleting frees space: it works on a full
    disk)."""
    lock.release()
    shutil.rmtree(tmp, ignore_errors=True)
