"""The run's model client, built from the config (the local and Ray engines both use it)."""

from __future__ import annotations

from workbench.config import RunConfig
from workbench.model import Backend, ModelClient
from workbench.model.cache import CallCache
from workbench.model.cache import default_path as default_cache_path
from workbench.model.guards import Budget, CircuitBreaker
from workbench.records import RunWriter


def open_cache(cfg: RunConfig, check: bool = True) -> CallCache | None:
    """The run's call cache (None with `cache.enabled = false`). A file that cannot be opened,
    is locked past the timeout or (with `check`) fails SQLite's quick_check is a one-line
    CacheError."""
    if not cfg.cache.enabled:
        return None
    return CallCache(cfg.cache.path or default_cache_path(), check=check)


def make_client(cfg: RunConfig, writer: RunWriter, backend: Backend | None) -> ModelClient:
    """The run's model client: cache, retries, breaker and budget from the config. It hears
    when the writer records a round, so a failed cache write can finish the rounds in flight
    before the run stops."""
    spent = writer.tally
    client = ModelClient(
        seed=cfg.seed,
        concurrency=cfg.concurrency,
        on_call=writer.call,
        backend=backend,
        # Checked once per run, before anything was written (`check_cache`), not per worker.
        cache=open_cache(cfg, check=False),
        retry=cfg.retry,
        breaker=CircuitBreaker(cfg.circuit_breaker.window, cfg.circuit_breaker.failure_ratio),
        budget=Budget(cfg.budget.usd, cfg.budget.tokens, spent.cost_usd, spent.paid_tokens),
    )
    listeners = getattr(writer, "listeners", None)
    if listeners is not None:  # first: it never raises, and a later listener may
        listeners.insert(0, client.drain.round_recorded)
        client.drain.tracked = True
    return client
