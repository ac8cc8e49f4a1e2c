"""One process at a time per run directory: an advisory lock on the directory itself."""

from __future__ import annotations

import fcntl
import os
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
