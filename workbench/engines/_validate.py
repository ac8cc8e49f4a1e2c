"""A run directory checked before anything trusts it (resume, report, export, repair): every
line a typed record, every round one of the run's documents with the decision the acceptance
rule gives, accepted.jsonl exactly what the rounds imply."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import RunConfig, Thresholds
from workbench.errors import RunDirError
from workbench.loop import decision_check
from workbench.records import (
    Problem,
    RunLock,
    count_problems,
    example_problems,
    filtered_path,
    filtered_problems,
    parse_lines,
    read_header,
    read_manifest,
    refusal,
    round_problems,
)

OTHER_FILES = ("calls", "reviews")


@dataclass
class Checked:
    """A run directory's records with what is wrong in them (line numbers kept)."""

    header: dict[str, Any]
    mode: str
    rounds: list[tuple[int, Any]]
    """Every parseable line of rounds.jsonl."""
    good_rounds: list[tuple[int, Any]]
    """The rounds with nothing wrong."""
    examples: list[tuple[int, Any]]
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    """By file kind (rounds, accepted, calls, reviews, filtered), in line order."""
    doc_ids: set[str] | None = None

    def all_problems(self) -> list[Problem]:
        return [
            p
            for kind in ("rounds", "accepted", *OTHER_FILES, "filtered")
            for p in self.problems.get(kind, [])
        ]


def run_rule(header: dict[str, Any]) -> tuple[str, int, Thresholds, dict[str, int]]:
    """Mode, max_rounds, thresholds and the rollouts per side the run decided its rounds with
    (config.json)."""
    try:
        config = RunConfig.model_validate(header["config"])
        stored = header.get("thresholds")
        t = Thresholds.model_validate(stored) if stored else config.thresholds()
    except (KeyError, TypeError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise RunDirError(
            f"config.json is not a run's config ({type(exc).__name__}: {detail})"
        ) from None
    return config.mode, config.max_rounds, t, config.planned_rollouts()


def check_run(run_dir: Path, doc_ids: set[str] | None = None, missing_ok: bool = False) -> Checked:
    """Every record file of RUN_DIR checked (see the module). `doc_ids`: the run's documents
    when known otherwise (a resume reloads them); else documents.json, else (an older run)
    only their number is checked."""
    run_dir = Path(run_dir)
    header = read_header(run_dir)
    mode, max_rounds, t, rollouts = run_rule(header)
    documents = header.get("documents") or {}
    if doc_ids is None:
        doc_ids = read_manifest(run_dir, documents.get("fingerprint"))
    rounds, bad_lines = parse_lines(run_dir / "rounds.jsonl", "rounds")
    bad_rounds = round_problems(rounds, doc_ids, mode, max_rounds, decision_check(t, rollouts))
    if doc_ids is None and isinstance(documents.get("count"), int):
        bad_rounds += count_problems(rounds, documents["count"])
    bad = {p.line for p in bad_rounds}
    good = [(n, r) for n, r in rounds if n not in bad]
    examples, bad_examples = parse_lines(run_dir / "accepted.jsonl", "accepted")
    problems = {
        "rounds": sorted(bad_lines + bad_rounds, key=lambda p: p.line or 0),
        "accepted": bad_examples
        + example_problems([r for _, r in good], examples, mode, missing_ok),
    }
    for kind in OTHER_FILES:
        problems[kind] = parse_lines(run_dir / f"{kind}.jsonl", kind)[1]
    ids = {e.id for _, e in examples}
    problems["filtered"] = filtered_problems(filtered_path(run_dir), ids)
    return Checked(header, mode, rounds, good, examples, problems, doc_ids)


def validate_run(
    run_dir: str | Path,
    doing: str,
    doc_ids: set[str] | None = None,
    missing_ok: bool | None = None,
) -> Checked:
    """`check_run`, refusing in one line (RunDirError naming the file and first bad line, and
    `workbench repair`) when anything is wrong. `doing`: the verb for the message.
    `missing_ok` (default: while a run is writing to RUN_DIR, which may be between a round and
    its example): an accepted round's example may be missing."""
    run_dir = Path(run_dir)
    if missing_ok is None:
        missing_ok = in_use(run_dir)
    try:
        checked = check_run(run_dir, doc_ids, missing_ok)
    except RunDirError as exc:
        raise RunDirError(f"cannot {doing} {run_dir}: {exc}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunDirError(
            f"cannot {doing} {run_dir}: unreadable ({type(exc).__name__}: {exc})"
        ) from None
    problems = checked.all_problems()
    if problems:
        raise refusal(run_dir, problems, doing)
    return checked


def in_use(run_dir: Path) -> bool:
    """Whether a run is writing to RUN_DIR right now (it holds the directory's lock)."""
    if not run_dir.is_dir():
        return False
    try:
        RunLock(run_dir).release()
    except RunDirError:
        return True
    return False
