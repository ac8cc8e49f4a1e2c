"""The run's model client, built from the config (the local and Ray engines both use it)."""

from __future__ import annotations

from workbench.config import RunConfig
from workbench.model import Backend, ModelClient
from workbench.model._cache import CallCache
from workbench.model._cache import default_path as default_cache_path
from workbench.model.guards import Budget, CircuitBreaker
from workbench.records import RunWriter


def make_client(cfg: RunConfig, writer: RunWriter, backend: Backend | None) -> ModelClient:
    """The run's model client: cache, retries, breaker and budget from the config."""
    cache = CallCache(cfg.cache.path or default_cache_path()) if cfg.cache.enabled else None
    spent = writer.tally
    return ModelClient(
        seed=cfg.seed,
        concurrency=cfg.concurrency,
        on_call=writer.call,
        backend=backend,
        cache=cache,
        retry=cfg.retry,
        breaker=CircuitBreaker(cfg.circuit_breaker.window, cfg.circuit_breaker.failure_ratio),
        budget=Budget(cfg.budget.usd, cfg.budget.tokens, spent.cost_usd, spent.paid_tokens),
    )
