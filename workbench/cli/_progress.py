"""Progress on a terminal: a one-line bar, redrawn in place on a TTY, periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class TextProgress:
    def __init__(self, total_docs: int = 0, stream: TextIO | None = None, every_s: float = 5.0):
        self.total = total_docs
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every_s = every_s
        self.started = time.time()
        self.last = 0.0
        self.docs = self.rounds = self.accepted = self.kept = self.calls = 0
        self.mode = "agentic"

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "start":
            self.total = data["documents"]
            self.docs = data["documents_done"]
            self.mode = data.get("mode", "agentic")
            # a resumed run counts what its records already hold, as its summary will
            self.rounds = data.get("rounds", 0)
            self.accepted = data.get("accepted", 0)
            self.kept = data.get("kept", 0)
            for warning in data.get("warnings", []):
                self.stream.write(f"workbench: warning: {warning}\n")
            return
        if kind == "call":
            self.calls += 1
            return
        if kind == "round":
            self.rounds += 1
            self.accepted += data["decision"] == "accepted"
        elif kind == "document":
            self.docs += 1
        elif kind == "example":
            self.kept += 1
        self.draw(force=kind == "document" and self.docs == self.total)

    def draw(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self.last < (0.1 if self.tty else self.every_s):
            return
        self.last = now
        width = 24
        kept = f" | {self.kept} kept" if self.mode == "baseline" else ""
        filled = int(width * self.docs / max(1, self.total))
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.docs}/{self.total} docs | "
            f"{self.rounds} rounds | {self.accepted} accepted{kept} | {self.calls} calls | "
            f"{now - self.started:.1f}s"
        )
        if self.tty:
            self.stream.write("\r" + line)
            if force:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
