"""The Python entry points: `arun()` (async-first) and `run()` (sync convenience)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from workbench._litellm import drain
from workbench.agents import Env
from workbench.config import ROLES, RunConfig, load_config
from workbench.docs import Document, fingerprint, load_documents
from workbench.llm import Backend, ModelClient
from workbench.loop import run_documents
from workbench.preflight import check_models
from workbench.prompts import PromptSet, load_prompts
from workbench.runs import Run, RunWriter
from workbench.secrets import declare
from workbench.summary import Tally

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
) -> tuple[RunConfig, list[Document], PromptSet, list[str]]:
    """Every check that can fail on user input, before anything is written or spent."""
    cfg = as_config(config, sets)
    documents = load_documents(docs, cfg.limits.max_doc_chars)
    prompt_set = load_prompts(cfg.prompts.model_dump(), prompts)
    warnings = check_models(cfg)
    declare([getattr(cfg.models, r).api_key_env for r in ROLES])
    return cfg, documents, prompt_set, warnings


async def arun(
    docs: Iterable[Any] | None = None,
    config: RunConfig | dict | str | Path | None = None,
    *,
    out: str | Path | None = None,
    sets: list[str] | None = None,
    prompts: dict[str, str] | None = None,
    listeners: Iterable[Listener] = (),
    backend: Backend | None = None,
) -> Run:
    """Run the loop over `docs` (paths, Documents or {"id","text"} dicts; None: bundled examples)."""
    cfg, documents, prompt_set, warnings = prepare(docs, config, sets, prompts)
    run_dir = Path(out) if out else default_run_dir(cfg.mode)
    tally = Tally(documents=len(documents))
    meta = {"count": len(documents), "fingerprint": fingerprint(documents)}
    writer = RunWriter.create(run_dir, cfg, prompt_set, meta, warnings, tally)
    writer.listeners.extend(listeners)
    client = ModelClient(
        seed=cfg.seed, concurrency=cfg.concurrency, on_call=writer.call, backend=backend
    )
    env = Env(cfg, prompt_set, client)
    status, reason = "complete", ""
    try:
        await run_documents(env, cfg.thresholds(), documents, writer)
    except asyncio.CancelledError:
        status, reason = "cancelled", "stopped before the end; the records so far are kept"
        raise
    except BaseException as exc:
        status, reason = "error", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        writer.write_summary(status, reason)
        writer.close()
        await drain()
    return Run(run_dir)


def run(
    docs: Iterable[Any] | None = None,
    config: RunConfig | dict | str | Path | None = None,
    **kwargs: Any,
) -> Run:
    """Synchronous `arun`. Safe to call repeatedly, and from a notebook cell."""
    from workbench._sync import run_sync

    return run_sync(arun(docs, config, **kwargs))


def default_run_dir(mode: str, root: str | Path = "runs") -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{stamp}-{mode}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path
