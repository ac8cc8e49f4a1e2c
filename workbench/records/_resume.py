"""Resuming an interrupted run: what is done, what is left, and whether resuming is safe.

A run killed at any moment leaves complete records plus at most one torn line
per file (never acknowledged, so dropped). Finished rounds are not redone; the
round that was in flight is redone, its answered calls served from the cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import ROLES, RunConfig
from workbench.errors import RunDirError
from workbench.records._read import read_records
from workbench.records._state import document_states, history_entry, keeps, to_example
from workbench.records._summary import Tally
from workbench.records._types import Example, RoundRecord

RECORD_FILES = ("calls.jsonl", "rounds.jsonl", "accepted.jsonl")
# Settings that may change on resume: they decide how, not what, is generated.
RESUMABLE = {
    "audit",
    "filter",
    "final_filter",
    "budget",
    "cache",
    "retry",
    "circuit_breaker",
    "concurrency",
    "engine",
    "ray",
}
RESUMABLE_PER_ROLE = {"timeout_s", "max_concurrency", "rpm", "tpm"}


@dataclass
class Progress:
    """Where each document stands."""

    done: set[str] = field(default_factory=set)
    next_round: dict[str, int] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    missing_examples: list[Example] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


def read_header(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "config.json"
    if not path.is_file():
        raise RunDirError(f"{run_dir} is not a run directory (no config.json)")
    return json.loads(path.read_text(encoding="utf-8"))


def drop_torn_tails(run_dir: Path) -> int:
    """Cut each record file back to its last complete line; returns bytes dropped."""
    dropped = 0
    for name in RECORD_FILES:
        path = run_dir / name
        if not path.exists():
            continue
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            with open(path, "r+b") as f:
                f.truncate(keep)
            dropped += len(data) - keep
    return dropped


def _members(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else [value]


def _fixed(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in RESUMABLE_PER_ROLE}


def check_compatible(stored: RunConfig, new: RunConfig) -> None:
    """Refuse to resume when anything that decides what is generated has changed."""
    a, b = stored.resolved().model_dump(mode="json"), new.resolved().model_dump(mode="json")
    changed = []
    for key in sorted(set(a) | set(b)):
        if key in RESUMABLE:
            continue
        if key == "models":
            for role in ROLES:
                old, new = a[key][role], b[key][role]
                if isinstance(old, list) or isinstance(new, list):
                    old, new = _members(old), _members(new)
                    if [_fixed(m) for m in old] != [_fixed(m) for m in new]:
                        changed.append(f"models.{role}: the judge panel changed")
                    continue
                for k in sorted(set(old) | set(new)):
                    if k not in RESUMABLE_PER_ROLE and old.get(k) != new.get(k):
                        changed.append(f"models.{role}.{k}: {old.get(k)!r} -> {new.get(k)!r}")
        elif a.get(key) != b.get(key):
            changed.append(f"{key}: {a.get(key)!r} -> {b.get(key)!r}")
    if changed:
        shown = "; ".join(changed[:3]) + (
            f" (and {len(changed) - 3} more)" if len(changed) > 3 else ""
        )
        raise RunDirError(f"cannot resume: the config changed ({shown}); start a new run instead")


def progress(run_dir: Path, config: RunConfig, doc_ids: list[str]) -> Progress:
    """Documents done, the next round and feedback history of the others, and totals so far.
    Done is counted as the loop counts it (`RoundCount`): an accepted round, or `max_rounds`
    rounds that count, or `max_rounds` error rounds (error rounds do not count against
    `max_rounds`)."""
    state = Progress(tally=Tally(documents=len(doc_ids)))
    rounds = read_records(run_dir / "rounds.jsonl", "rounds")
    examples = {e.id for e in read_records(run_dir / "accepted.jsonl", "accepted")}
    by_doc: dict[str, list[RoundRecord]] = {}
    # Calls first, as the run wrote them: each round's spend is then told its decision.
    for call in read_records(run_dir / "calls.jsonl", "calls"):
        state.tally.add_call(call.model_dump(mode="json"))
    for r in rounds:
        by_doc.setdefault(r.doc_id, []).append(r)
        state.tally.add_round(r.model_dump(mode="json"), kept=keeps(r, config.mode))
    states = document_states(rounds, config.mode, config.max_rounds)
    for doc_id, doc_rounds in by_doc.items():
        doc_rounds.sort(key=lambda r: r.round)
        for r in doc_rounds:
            example = to_example(r, config.mode)
            if example is not None and example.id not in examples:
                state.missing_examples.append(example)
        done, accepted, kept = states[doc_id]
        if done:
            state.done.add(doc_id)
            state.tally.add_document(accepted, kept)
        else:
            state.next_round[doc_id] = doc_rounds[-1].round + 1
            state.history[doc_id] = [history_entry(r) for r in doc_rounds]
    return state
