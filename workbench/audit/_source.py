"""Where an audit's tasks come from, resolved and checked before any call: a run directory,
or documents (none given: the bundled examples)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.audit._tasks import CalibrationTask, pick_tasks
from workbench.config import RunConfig, load_config
from workbench.errors import RunDirError, WorkbenchError
from workbench.inputs import Document
from workbench.records import read_header, read_records


@dataclass
class Source:
    """A run directory's tasks (ready) or the documents a challenger writes tasks from."""

    run_dir: Path | None
    tasks: list[CalibrationTask]
    documents: list[Document]


def is_run_dir(path: Path) -> bool:
    return path.is_dir() and (path / "config.json").is_file()


def source_config(
    items: Sequence[str | Path] | None,
    config: RunConfig | dict | str | Path | None,
    sets: list[str] | None,
) -> RunConfig:
    """The config an audit uses: `config` (with `sets`) if given; for a run directory without
    one, the run's own config (its judge, judge mode, thresholds); else the defaults."""
    from workbench.engines import as_config

    run_dir = _run_dir(items)
    if config is None and run_dir is not None:
        try:
            stored = RunConfig.model_validate(read_header(run_dir)["config"])
        except (ValueError, KeyError, TypeError) as exc:
            detail = " ".join(str(exc).split())[:200]
            raise RunDirError(f"{run_dir}/config.json is not a run's config ({detail})") from None
        return load_config(None, sets, base=stored.model_dump(mode="json"))
    return as_config(config, sets)


def resolve(items: Sequence[str | Path] | None, config: RunConfig, limit: int) -> Source:
    """Tasks from a run directory, or up to `limit` documents (WorkbenchError, one line, when
    the path is missing or the run has no task)."""
    run_dir = _run_dir(items)
    if run_dir is not None:
        rounds = read_records(run_dir / "rounds.jsonl", "rounds")
        tasks = pick_tasks(rounds, limit)
        if not tasks:
            raise WorkbenchError(f"{run_dir}: no round has a task to audit the judge on")
        return Source(run_dir, tasks, [])
    for item in items or ():
        if not Path(item).exists():
            raise WorkbenchError(f"no such run directory or document: {item}")
    from workbench.engines import read_documents

    documents = read_documents(list(items) if items else None, config)
    return Source(None, [], documents[:limit])


def _run_dir(items: Sequence[str | Path] | None) -> Path | None:
    items = list(items or ())
    run_dirs = [Path(i) for i in items if is_run_dir(Path(i))]
    if not run_dirs:
        return None
    if len(items) > 1:
        raise WorkbenchError(
            f"give one run directory, or documents, not both ({run_dirs[0]} is a run directory)"
        )
    return run_dirs[0]
