"""Resuming a run: RUN_DIR reopened after checking that its documents, config and prompts are
unchanged and that its records are what the run wrote (see `_validate`)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from workbench.config import RunConfig, deep_merge, load_config, role_specs
from workbench.engines._documents import read_documents
from workbench.engines._validate import validate_run
from workbench.errors import RunDirError, WorkbenchError
from workbench.inputs import fingerprint
from workbench.model import check_models, declare
from workbench.records import (
    RESUMABLE,
    RunWriter,
    check_compatible,
    drop_torn_tails,
    read_header,
    read_manifest,
    write_manifest,
)
from workbench.records import progress as read_progress
from workbench.roles import load_prompts


def existing_run_dir(run_dir: Path) -> Path:
    if not (run_dir / "config.json").is_file():
        raise RunDirError(f"{run_dir} is not a run directory (no config.json)")
    return run_dir


def resumed_or_error(run_dir: Path, docs, config, sets, probe: bool):
    """`_resumed`, with a damaged run directory reported in one line rather than a traceback."""
    try:
        return _resumed(run_dir, docs, config, sets, probe)
    except RunDirError as exc:
        if str(exc).startswith("cannot resume"):
            raise
        raise RunDirError(f"cannot resume {run_dir}: {exc}") from None
    except WorkbenchError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        detail = " ".join(str(exc).split())[:300]  # one line, even for a validation report
        raise RunDirError(
            f"cannot resume {run_dir}: the run directory is damaged ({type(exc).__name__}: {detail})"
        ) from None


def _resumed(run_dir: Path, docs, config, sets, probe: bool):
    """Reopen RUN_DIR after checking that documents, config and prompts are unchanged."""
    header = read_header(run_dir)
    stored = RunConfig.model_validate(header["config"])
    base = stored.resolved().model_dump(mode="json")
    if isinstance(config, str | Path):
        cfg = load_config(config, sets, base=base)
    else:
        overrides = (
            config.model_dump(exclude_unset=True) if isinstance(config, RunConfig) else config
        )
        cfg = load_config(None, sets, base=deep_merge(base, overrides or {}))
    check_compatible(stored, cfg)
    sources = docs if docs is not None else header["documents"].get("sources")
    if docs is None and header["documents"].get("sources", "missing") is None:
        raise RunDirError(
            f"{run_dir} was started from in-memory documents: pass the same documents to resume it"
        )
    documents = read_documents(sources, cfg)  # the same sections as when the run started
    if fingerprint(documents) != header["documents"]["fingerprint"]:
        raise RunDirError(
            "cannot resume: the documents changed since the run started (different ids or text)"
        )
    strings = {}
    for role, info in header["prompts"].items():
        text = (run_dir / info["file"]).read_text(encoding="utf-8")
        if hashlib.sha256(text.encode()).hexdigest() != info["sha256"]:
            raise RunDirError(
                f"cannot resume: {run_dir / info['file']} was edited after the run started"
            )
        strings[role] = text
    prompt_set = load_prompts(None, strings)
    check_models(cfg, probe)
    from workbench.engines._api import check_cache  # (that module imports this one)

    check_cache(cfg)
    declare([s.api_key_env for _, _, s in role_specs(cfg.models)])
    dropped = drop_torn_tails(run_dir)
    doc_ids = {d.id for d in documents}
    # Nothing on disk is trusted: a round that is not the run's, or whose decision is not the
    # rule's, or an accepted.jsonl that is not what the rounds imply, refuses the resume.
    validate_run(run_dir, "resume", doc_ids, missing_ok=True)
    if read_manifest(run_dir, header["documents"]["fingerprint"]) is None:
        write_manifest(run_dir, documents)  # an older run: its documents are known now
    state = read_progress(run_dir, cfg, [d.id for d in documents])
    note = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "dropped_torn_bytes": dropped,
        "documents_done": len(state.done),
        "config": cfg.resolved().model_dump(mode="json", include=RESUMABLE),
    }
    writer = RunWriter.reopen(run_dir, state.tally, note)
    for example in state.missing_examples:
        writer.accepted(example)
    remaining = [d for d in documents if d.id not in state.done]
    starts = {
        doc_id: (state.next_round[doc_id], state.history[doc_id]) for doc_id in state.next_round
    }
    return cfg, remaining, prompt_set, writer, starts
