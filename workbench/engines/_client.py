"""The run's model client, built from the config (the local and Ray engines both use it), and
which client (`http` or `litellm`) carries each model's calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.config import ROLES, RunConfig, role_specs
from workbench.model import Backend, ModelClient, Probe, choose_client, endpoint_key
from workbench.model.cache import CallCache
from workbench.model.cache import default_path as default_cache_path
from workbench.model.guards import Budget, CircuitBreaker
from workbench.records import RunWriter, read_jsonl


def open_cache(cfg: RunConfig, check: bool = True) -> CallCache | None:
    """The run's call cache (None with `cache.enabled = false`). A file that cannot be opened,
    is locked past the timeout or (with `check`) fails SQLite's quick_check is a one-line
    CacheError."""
    if not cfg.cache.enabled:
        return None
    return CallCache(cfg.cache.path or default_cache_path(), check=check)


def make_client(
    cfg: RunConfig,
    writer: RunWriter,
    backend: Backend | None,
    clients: dict[str, str] | None = None,
) -> ModelClient:
    """The run's model client: cache, retries, breaker and budget from the config, `clients`
    from `run_clients`. It hears
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
        clients=clients,
    )
    listeners = getattr(writer, "listeners", None)
    if listeners is not None:  # first: it never raises, and a later listener may
        listeners.insert(0, client.drain.round_recorded)
        client.drain.tracked = True
    return client


def run_clients(
    cfg: RunConfig, probed: Probe | None, used: dict[str, str] | None = None
) -> dict[str, str]:
    """The client of every role's endpoint: what `choose_client` makes of the probe's result;
    for an endpoint the probe did not see (`--no-probe`, a resumed run), the client its
    earlier calls in this run went over (`used`, by model), else the unprobed choice. Pure."""
    out: dict[str, str] = {}
    for _, _, spec in role_specs(cfg.models):
        result = probed.result_for(spec) if probed is not None else None
        earlier = (used or {}).get(spec.model)
        if result is None and spec.client == "auto" and earlier in ("http", "litellm"):
            out[endpoint_key(spec)] = earlier
        else:
            out[endpoint_key(spec)] = choose_client(spec, result)
    return out


def clients_used(run_dir: Path) -> dict[str, str]:
    """The client each model's last recorded call went over, from RUN_DIR/calls.jsonl."""
    used: dict[str, str] = {}
    for record in read_jsonl(Path(run_dir) / "calls.jsonl"):
        if isinstance(record, dict) and record.get("client") in ("http", "litellm"):
            used[str(record.get("model"))] = record["client"]
    return used


def pinned(cfg: RunConfig, clients: dict[str, str]) -> RunConfig:
    """`cfg` with every `auto` client replaced by the one chosen (for Ray workers, which build
    their own clients and must use the run's choice, not re-make it unprobed)."""
    models: dict[str, Any] = {}
    for role in ROLES:
        specs = []
        for spec in cfg.models.specs(role):
            chosen = clients.get(endpoint_key(spec))
            if spec.client == "auto" and chosen is not None:
                spec = spec.model_copy(update={"client": chosen})
            specs.append(spec)
        models[role] = specs if cfg.models.panel and role == "judge" else specs[0]
    return cfg.model_copy(update={"models": cfg.models.model_copy(update=models)})
