"""Stopping after a failed cache write without losing a paid reply.

When the call cache cannot be written (disk full, locked, damaged), the reply
in hand is still used. The rounds already in flight are finished (their replies
end up in rounds.jsonl, so a resume does not ask for them again), no new round
starts, and once the last one is recorded the run stops with the cache's
reason (status `cache_error`, resumable). This needs to hear when a round is
recorded (`round_recorded`, a run-writer listener); without it (eval, rewards,
evolve) the stop is immediate.
"""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.errors import StopRun
from workbench.model._reply import CallMeta

STATUS = "cache_error"
"""The run status after the cache failed a write (resumable)."""


class Drain:
    """Which rounds are in flight, and the stop waiting for them once the cache failed."""

    def __init__(self) -> None:
        self.tracked = False
        """True once a run writer tells us when rounds are recorded."""
        self.reason: StopRun | None = None
        self._open: set[tuple[str, int]] = set()
        self._idle: asyncio.Event | None = None

    def failed(self, message: str) -> None:
        """The cache failed a write: from now on only the rounds in flight may call."""
        if self.reason is None:
            how = (
                "the rounds in flight were finished with the replies already paid for"
                if self.tracked
                else "the reply already paid for was used and recorded"
            )
            self.reason = StopRun(STATUS, f"{message} ({how})")
            self._idle = asyncio.Event()
            if not self._open:
                self._idle.set()

    async def admit(self, meta: CallMeta) -> StopRun | None:
        """None: this call may go ahead; else the stop to raise (after the rounds in flight
        are recorded, when they are tracked)."""
        key = (meta.doc_id, meta.round)
        if self.reason is None:
            if self.tracked:
                self._open.add(key)
            return None
        if self.tracked and key in self._open:
            return None
        if self.tracked and self._idle is not None:
            await self._idle.wait()
        return self.reason

    def round_recorded(self, event: str, data: dict[str, Any]) -> None:
        """A run-writer listener: a `round` event closes that round."""
        if event != "round":
            return
        self._open.discard((str(data.get("doc_id")), data.get("round")))
        if self._idle is not None and not self._open:
            self._idle.set()
