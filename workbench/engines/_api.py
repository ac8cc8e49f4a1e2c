"""The Python entry points: `arun()` (async-first) and `run()` (sync convenience)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from workbench.config import RunConfig, load_config, role_specs
from workbench.engines._client import clients_used, make_client, open_cache, pinned, run_clients
from workbench.engines._documents import check_fit, read_documents
from workbench.engines._filter import final_filter
from workbench.engines._resume import existing_run_dir, resumed_or_error
from workbench.engines._signals import in_daemon_thread, received, stop_status
from workbench.errors import RunDirError, StopRun
from workbench.inputs import Document, PromptSet, default_docs_dir, fingerprint
from workbench.loop import run_documents
from workbench.model import Backend, aprobe, check_models, declare
from workbench.model.backends import get_litellm
from workbench.records import (
    Run,
    RunLock,
    RunWriter,
    Tally,
    WriteFailed,
)
from workbench.roles import Env, load_prompts

Listener = Callable[[str, dict[str, Any]], None]


def as_config(
    config: RunConfig | dict | str | Path | None, sets: list[str] | None = None
) -> RunConfig:
    """A RunConfig from an object, a dict, a file path, or nothing (the defaults)."""
    if isinstance(config, str | Path):
        return load_config(config, sets)
    if isinstance(config, RunConfig) and not sets:
        return config
    return load_config(None, sets, base=config)


def prepare(
    docs: Iterable[Any] | None,
    config: RunConfig | dict | str | Path | None = None,
    sets: list[str] | None = None,
    prompts: dict[str, str] | None = None,
    probe_endpoints: bool = True,
    keys: bool = True,
) -> tuple[RunConfig, list[Document], PromptSet, list[str]]:
    """Every check that can fail on user input, before anything is written or spent
    (`keys=False`: a dry run, which calls nothing, needs no keys)."""
    cfg = as_config(config, sets)
    documents = read_documents(docs, cfg)
    prompt_set = load_prompts(cfg.prompts.model_dump(), prompts)
    check_fit(documents, cfg, prompt_set)
    warnings = check_models(cfg, probe_endpoints, keys)
    check_cache(cfg)
    declare([s.api_key_env for _, _, s in role_specs(cfg.models)])
    return cfg, documents, prompt_set, warnings


def check_cache(cfg: RunConfig) -> None:
    """The call cache opens and passes SQLite's quick_check: otherwise one line naming the
    file and what to do (a CacheError), before anything is written or spent."""
    cache = open_cache(cfg)
    if cache is not None:
        cache.close()


async def arun(
    docs: Iterable[Any] | None = None,
    config: RunConfig | dict | str | Path | None = None,
    *,
    out: str | Path | None = None,
    sets: list[str] | None = None,
    prompts: dict[str, str] | None = None,
    listeners: Iterable[Listener] = (),
    backend: Backend | None = None,
    resume: str | Path | None = None,
    probe: bool = True,
) -> Run:
    """Run the loop over `docs` (paths, Documents or {"id","text"} dicts; None: bundled examples).

    With `resume=RUN_DIR`, continue that run instead: finished documents and rounds
    are kept, the rest goes on (config changes are limited to budgets, limits and
    retries; documents must be unchanged).

    `probe` (default on): after the free checks (documents, prompts, keys, run directory) and
    before anything is written, send one tiny request per distinct (model, api_base) (see `workbench.model.probe`); any failure is a one-line ConfigError.
    Off, only a TCP connection to each api_base is tried. A resumed run is not re-probed."""
    # A custom backend (tests, benchmarks) is not HTTP: nothing to probe or connect to.
    http = backend is None
    probed = None
    warnings: list[str] = []
    if resume is not None:
        lock = RunLock(existing_run_dir(Path(resume)))
        try:
            cfg, documents, prompt_set, writer, starts = resumed_or_error(
                Path(resume), docs, config, sets, http
            )
        except BaseException:
            lock.release()
            raise
    else:
        # Every free check first (keys, names, documents, prompts, cache, the run directory),
        # then the probe's paid requests: bad input never costs a request.
        cfg, documents, prompt_set, warnings = prepare(
            docs, config, sets, prompts, probe_endpoints=http and not probe
        )
        run_dir = Path(out) if out else default_run_dir(cfg.mode)
        meta = {
            "count": len(documents),
            "fingerprint": fingerprint(documents),
            "sources": _sources(docs),
        }
        if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
            raise RunDirError(f"{run_dir} already exists and is not empty; choose another --out")
        if probe and http:
            probed = await aprobe(cfg)
            probed.check()
        writer = RunWriter.create(
            run_dir, cfg, prompt_set, meta, warnings, Tally(documents=len(documents)), documents
        )
        lock = writer.lock
        starts = {}
    writer.listeners.extend(listeners)
    writer.listeners.append(ErrorRounds(cfg.circuit_breaker.max_error_rounds))  # last: it raises
    done = writer.tally.documents_done
    for listener in writer.listeners:
        listener(
            "start",
            {
                "documents": writer.tally.documents,
                "documents_done": done,
                "warnings": warnings,
                "mode": cfg.mode,
                "accepted": writer.tally.accepted,
                "kept": writer.tally.kept,
                "rounds": writer.tally.rounds,
                "probe": [asdict(r) for r in probed.results] if probed is not None else [],
            },
        )
    used = clients_used(writer.dir) if resume is not None else None
    client = make_client(cfg, writer, backend, run_clients(cfg, probed, used))
    if probed is not None and probed.modes is not None:
        client.modes = probed.modes  # what the probe negotiated, even without a cache folder
    env = Env(cfg, prompt_set, client)
    status, reason = "complete", ""
    summary_extra: dict[str, Any] = {}
    failed: WriteFailed | None = None  # the run directory could not be written: raised at the end
    try:
        if probed is not None:
            for record in probed.records:  # the probe's calls are the run's: recorded, budgeted
                writer.call(record)
        if backend is None:  # import LiteLLM off the event loop, before any call is timed
            await in_daemon_thread(get_litellm)
        stop = await _run_until_stopped(env, cfg, documents, writer, starts)
        if stop is None and cfg.final_filter:  # the run's own client: recorded, budgeted
            stop, summary_extra = await final_filter(env, writer)
        if stop is not None:
            status, reason = stop.status, stop.reason
            failed = stop if isinstance(stop, WriteFailed) else None
    except WriteFailed as exc:
        status, reason, failed = exc.status, exc.reason, exc
    except asyncio.CancelledError:
        status, reason = stop_status(received())
        raise
    except BaseException as exc:
        status, reason = "error", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        late = _finish_writing(writer, status, reason, summary_extra)
        failed = failed or late  # the first write that failed is the one to report
        if client.cache is not None:
            client.cache.close()
        await client.aclose()
        lock.release()
    if failed is not None:
        raise failed
    return Run(writer.dir)


def _finish_writing(
    writer: RunWriter, status: str, reason: str, extra: dict[str, Any] | None = None
) -> WriteFailed | None:
    """summary.json and the record files closed; a write that fails (the disk is full) is
    returned, not raised, so the cleanup goes on (the records already written are whole)."""
    failed = None
    try:
        writer.write_summary(status, reason, extra)
    except WriteFailed as exc:
        failed = exc
    try:
        writer.close()
    except WriteFailed as exc:
        failed = failed or exc
    return failed


class ErrorRounds:
    """A listener that stops the run (status `failing`, resumable) after `limit` consecutive
    rounds ended in `error`: a run in which nothing produces an outcome is not `complete`."""

    def __init__(self, limit: int):
        self.limit = limit
        self.streak = 0

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event != "round":
            return
        if data.get("decision") != "error":
            self.streak = 0
            return
        self.streak += 1
        if self.streak >= self.limit:
            last = " ".join(str(data.get("reason") or "").split())[:400]
            raise StopRun(
                "failing",
                f"{self.streak} rounds in a row ended in error (circuit_breaker.max_error_rounds); "
                f"last: {last}",
            )


def _sources(docs: Iterable[Any] | None) -> list[str] | None:
    """Absolute paths of the inputs, so a resume can reload them (None for in-memory documents)."""
    if docs is None:
        return [str(default_docs_dir())]
    items = list(docs)
    if all(isinstance(d, str | Path) for d in items):
        return [str(Path(d).resolve()) for d in items]
    return None


async def _run_until_stopped(env: Env, cfg: RunConfig, documents, writer, starts) -> StopRun | None:
    """Run every document; a StopRun (budget, breaker, fatal error) ends the run cleanly."""
    stops: list[StopRun] = []
    rounds = None
    if cfg.engine == "ray":
        from workbench.engines._ray import RayRounds

        rounds = RayRounds(pinned(cfg, env.client.clients), env.prompts, writer)
    try:
        await run_documents(env, cfg.thresholds(), documents, writer, starts, rounds)
    except* StopRun as group:
        stops.extend(group.exceptions)
    finally:
        if rounds is not None:
            rounds.close()
    # A failed write says most about what to do next (free space), then the first stop.
    stops.sort(key=lambda stop: not isinstance(stop, WriteFailed))
    return stops[0] if stops else None


def run(
    docs: Iterable[Any] | None = None,
    config: RunConfig | dict | str | Path | None = None,
    **kwargs: Any,
) -> Run:
    """Synchronous `arun`. Safe to call repeatedly, and from a notebook cell."""
    from workbench.engines._sync import run_sync

    return run_sync(arun(docs, config, **kwargs))


RUNS_ENV = "WORKBENCH_RUNS_DIR"


def runs_dir() -> Path:
    """The one folder runs go into, for `workbench run`, the notebooks and their widgets.

    1. `$WORKBENCH_RUNS_DIR`, if set;
    2. `../runs` when the working directory is a subfolder of a project checkout (its parent
       holds pyproject.toml, it does not): `jupyter lab notebooks/` starts kernels in
       notebooks/, and they share the checkout's `runs/` with `workbench run`;
    3. `./runs` if it exists, else `../runs` if that exists, else `./runs`."""
    import os

    configured = os.environ.get(RUNS_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    here, parent = Path("runs"), Path("..") / "runs"
    if (parent.parent / "pyproject.toml").is_file() and not Path("pyproject.toml").is_file():
        return parent
    if not here.is_dir() and parent.is_dir():
        return parent
    return here


def default_run_dir(mode: str, root: str | Path | None = None) -> Path:
    """A new run directory `<runs folder>/<time>-<mode>` (see `runs_dir`)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(root if root is not None else runs_dir()) / f"{stamp}-{mode}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path
