"""What keeps calls safe and affordable: retries, the circuit breaker, the budget, rate limits."""

from __future__ import annotations

from workbench.model.guards._breaker import CircuitBreaker
from workbench.model.guards._budget import Budget, BudgetExhausted
from workbench.model.guards._limits import TokenBucket
from workbench.model.guards._retry import Failure, backoff_s, classify

__all__ = [
    "Budget",
    "BudgetExhausted",
    "CircuitBreaker",
    "Failure",
    "TokenBucket",
    "backoff_s",
    "classify",
]
