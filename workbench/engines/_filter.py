"""The final filter on a run directory: `filter_run(RUN_DIR)` (`workbench filter`), and at the
end of a run with `final_filter = true` (`final_filter`, called by `arun` with the run's own
client: its calls are the run's, recorded and budgeted).

A standalone filter checks the run directory first (every record, as export does), locks it,
re-verifies through a client of the run's config (cache, retries, breaker, and the budget
with what the run already spent), appends its calls to calls.jsonl (`stage: filter`),
replaces filtered.jsonl and adds `retained` to summary.json. A stop (budget, breaker, fatal
provider error) writes no filtered.jsonl (an earlier one stays); the calls made are cached,
so filtering again after raising the budget pays only for the rest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import Models, RunConfig, load_config
from workbench.engines._client import make_client
from workbench.engines._resume import existing_run_dir
from workbench.engines._validate import check_run
from workbench.errors import ConfigError, RunDirError, StopRun
from workbench.filter import filter_examples
from workbench.model import Backend, check_models, declare
from workbench.records import (
    Appender,
    CallRecord,
    Example,
    FilterRecord,
    RunLock,
    Summary,
    Tally,
    read_records,
    read_summary,
    reason_counts,
    recompute_summary,
    refusal,
    write_filtered,
    write_json_atomic,
)
from workbench.roles import Env, load_prompts

SETTABLE = ("filter.", "budget.")
"""What `workbench filter --set` may change: the filter's settings and the budget."""


@dataclass
class Filtered:
    """What a filter pass did."""

    path: Path
    """RUN_DIR/filtered.jsonl."""
    records: list[FilterRecord]
    verified: bool
    """Whether examples were re-verified (else only the free checks ran)."""
    calls: int = 0
    """Verifier calls made (cache hits included)."""
    cost_usd: float | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    """Examples failing each kind of check."""

    @property
    def accepted(self) -> int:
        return len(self.records)

    @property
    def retained(self) -> int:
        return sum(r.retained for r in self.records)

    def line(self) -> str:
        """`N accepted -> M retained (...)`, one line."""
        failed = ", ".join(f"{k} {n}" for k, n in self.reasons.items() if n)
        how = "free checks and re-verification" if self.verified else "free checks only"
        text = f"final filter: {self.accepted} accepted -> {self.retained} retained ({how}"
        text += f"; dropped for: {failed})" if failed else ")"
        if self.verified:
            cost = "unknown cost" if self.cost_usd is None else f"${self.cost_usd:,.4f}"
            text += f"; {self.calls} verifier calls, {cost}"
        return text


def filter_settings(cfg: RunConfig, sets: list[str] | None) -> RunConfig:
    """The run's config with `--set filter.X=...` / `budget.X=...` applied (anything else is a
    one-line ConfigError: the rest decided what the run generated)."""
    wrong = [s for s in sets or [] if not s.strip().startswith(SETTABLE)]
    if wrong:
        raise ConfigError(
            f"--set {wrong[0]}: workbench filter changes only filter.* and budget.* settings"
        )
    if not sets:
        return cfg
    return load_config(None, sets, base=cfg.model_dump(mode="json"))


def run_prompts(run_dir: Path, header: dict[str, Any]):
    """The prompts the run used (its copies in RUN_DIR/prompts, checked against their hashes)."""
    strings = {}
    for role, info in header.get("prompts", {}).items():
        path = run_dir / info["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RunDirError(f"cannot filter {run_dir}: cannot read {path} ({exc})") from None
        if hashlib.sha256(text.encode()).hexdigest() != info["sha256"]:
            raise RunDirError(f"cannot filter {run_dir}: {path} was edited after the run started")
        strings[role] = text
    return load_prompts(None, strings)


class _CallLog:
    """Appends the filter's calls to RUN_DIR/calls.jsonl (validated) and tallies them."""

    listeners = None

    def __init__(self, run_dir: Path, spent: Tally):
        self.tally = spent
        self.made = Tally()
        self._file = Appender(run_dir / "calls.jsonl", fsync_every_s=1.0)

    def call(self, record: dict[str, Any]) -> None:
        record = CallRecord.model_validate(record).model_dump(mode="json")
        self._file.append(record)
        self.tally.add_call(record)
        self.made.add_call(record)

    def close(self) -> None:
        self._file.close()


async def afilter_run(
    run_dir: str | Path,
    sets: list[str] | None = None,
    verify: bool | None = None,
    backend: Backend | None = None,
    progress: Callable[[str], None] | None = None,
) -> Filtered:
    """Filter RUN_DIR's accepted examples (see the module). `verify`: None takes
    `filter.verify`; False runs only the free checks (no call, no key needed)."""
    run_dir = existing_run_dir(Path(run_dir))
    lock = RunLock(run_dir)  # a run writing to RUN_DIR holds it: one line, nothing done
    try:
        return await _filter(run_dir, sets, verify, backend, progress)
    finally:
        lock.release()


async def _filter(run_dir, sets, verify, backend, progress) -> Filtered:
    try:
        checked = check_run(run_dir)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunDirError(f"cannot filter {run_dir}: unreadable ({exc})") from None
    problems = [p for k, ps in checked.problems.items() if k != "filtered" for p in ps]
    if problems:  # filtered.jsonl itself may be damaged: it is rewritten
        raise refusal(run_dir, problems, "filter")
    cfg = filter_settings(RunConfig.model_validate(checked.header["config"]), sets)
    summary_path = run_dir / "summary.json"  # read now: a damaged one is one line, before a call
    stored = read_summary(summary_path).model_dump(mode="json") if summary_path.is_file() else None
    examples: list[Example] = [e for _, e in checked.examples]
    verify = cfg.filter.verify if verify is None else verify
    cfg = cfg.model_copy(update={"filter": cfg.filter.model_copy(update={"verify": verify})})
    if not verify or not examples:
        records = await filter_examples(examples, cfg)
        return _written(run_dir, checked.header, stored, records, verify, None)
    spec = cfg.models.verifier
    check_models(
        cfg.model_copy(update={"models": Models(verifier=spec)}), probe_endpoints=backend is None
    )
    declare([spec.api_key_env])
    prompts = run_prompts(run_dir, checked.header)
    spent = Tally()
    for c in read_records(run_dir / "calls.jsonl", "calls"):
        spent.add_call(c.model_dump(mode="json"))
    log = _CallLog(run_dir, spent)
    client = make_client(cfg, log, backend)
    try:
        records = await filter_examples(examples, cfg, Env(cfg, prompts, client), progress)
    finally:
        log.close()
        if client.cache is not None:
            client.cache.close()
        await client.aclose()
    return _written(run_dir, checked.header, stored, records, True, log.made)


def _written(run_dir: Path, header, stored, records, verified: bool, made) -> Filtered:
    """filtered.jsonl replaced, summary.json (when the run wrote one: `stored`) updated."""
    path = write_filtered(run_dir, records)
    if stored is not None:
        ending = {k: stored[k] for k in ("status", "stop_reason", "wall_s") if k in stored}
        summary = recompute_summary(run_dir, header) | ending
        summary["retained"] = sum(r.retained for r in records)
        write_json_atomic(
            run_dir / "summary.json", Summary.model_validate(summary).model_dump(mode="json")
        )
    done = Filtered(path, records, verified, reasons=reason_counts(records))
    if made is not None:
        done.calls = made.calls
        done.cost_usd = round(made.cost_usd, 6) if made.priced_calls else None
    return done


def filter_run(run_dir: str | Path, **kwargs: Any) -> Filtered:
    """Synchronous `afilter_run` (from a notebook cell too)."""
    from workbench.engines._sync import run_sync

    return run_sync(afilter_run(run_dir, **kwargs))


async def final_filter(env: Env, writer) -> tuple[StopRun | None, dict[str, Any]]:
    """At the end of a complete run with `final_filter = true`: the filter over its accepted
    examples with the run's client. Returns (a stop, if the re-verification was stopped, with
    the reason saying so; the summary fields to add)."""
    examples = read_records(writer.dir / "accepted.jsonl", "accepted")
    try:
        records = await filter_examples(examples, env.config, env)
    except StopRun as exc:
        return StopRun(exc.status, f"final filter: {exc.reason}"), {}
    write_filtered(writer.dir, records)
    return None, {"retained": sum(r.retained for r in records)}
