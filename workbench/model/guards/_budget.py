"""Budgets: never start a call that could take spend past `budget.usd` or `budget.tokens`.

Each call reserves an upper bound (prompt estimate + its completion cap) before
it starts and settles to the actual usage when it returns. A call that cannot
fit while others are in flight waits for them; one that cannot fit at all
stops the run, which can be resumed with a higher budget.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


class BudgetExhausted(Exception):
    """The next call could exceed the budget."""


@dataclass
class Reservation:
    usd: float
    tokens: int


class Budget:
    def __init__(
        self,
        usd: float | None = None,
        tokens: int | None = None,
        spent_usd: float = 0.0,
        spent_tokens: int = 0,
    ):
        self.usd = usd
        self.tokens = tokens
        self.spent_usd = spent_usd
        self.spent_tokens = spent_tokens
        self.reserved_usd = 0.0
        self.reserved_tokens = 0
        self._changed = asyncio.Event()

    @property
    def active(self) -> bool:
        return self.usd is not None or self.tokens is not None

    def _fits(self, usd: float, tokens: int, with_reserved: bool) -> bool:
        ru = self.reserved_usd if with_reserved else 0.0
        rt = self.reserved_tokens if with_reserved else 0
        if self.usd is not None and self.spent_usd + ru + usd > self.usd + 1e-12:
            return False
        return not (self.tokens is not None and self.spent_tokens + rt + tokens > self.tokens)

    async def reserve(self, usd: float, tokens: int) -> Reservation:
        if not self.active:
            return Reservation(0.0, 0)
        while not self._fits(usd, tokens, with_reserved=True):
            if not self._fits(usd, tokens, with_reserved=False):
                raise BudgetExhausted(self.describe(usd, tokens))
            self._changed.clear()
            await self._changed.wait()
        self.reserved_usd += usd
        self.reserved_tokens += tokens
        return Reservation(usd, tokens)

    def settle(self, reservation: Reservation, usd: float, tokens: int) -> None:
        """Replace a reservation with what the call actually used (0 for a failed call)."""
        self.reserved_usd -= reservation.usd
        self.reserved_tokens -= reservation.tokens
        self.spent_usd += usd
        self.spent_tokens += tokens
        self._changed.set()

    def describe(self, usd: float, tokens: int) -> str:
        parts = []
        if self.tokens is not None:
            parts.append(
                f"budget.tokens {self.tokens:,} (spent {self.spent_tokens:,}; next call up to {tokens:,})"
            )
        if self.usd is not None:
            parts.append(
                f"budget.usd {self.usd:.4f} (spent {self.spent_usd:.4f}; next call up to {usd:.4f})"
            )
        return "stopped before exceeding " + " and ".join(parts)
