"""The run directory: written as the run goes, read back by `load_run`.

RUN_DIR/config.json, prompts/, calls.jsonl, rounds.jsonl, accepted.jsonl,
summary.json (see DESIGN.md). Records are appended and fsynced one by one,
so a crash never loses a finished round.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import time
from functools import cached_property
from pathlib import Path
from typing import Any

from workbench._version import __version__
from workbench.config import RunConfig
from workbench.errors import RunDirError
from workbench.inputs import PromptSet
from workbench.records._filtered import filter_counts, filtered_path, read_filtered
from workbench.records._jsonl import Appender, WriteFailed, resume_hint, write_json_atomic
from workbench.records._lock import RunLock, discard, discard_stale
from workbench.records._manifest import write_manifest
from workbench.records._read import read_records, read_summary
from workbench.records._reviews import Review, latest_reviews, review_counts
from workbench.records._state import document_states, keeps
from workbench.records._summary import SPEND_FIELDS, Tally
from workbench.records._types import FORMAT_VERSION, CallRecord, Example, RoundRecord, Summary

FILES = ("config.json", "calls.jsonl", "rounds.jsonl", "accepted.jsonl", "summary.json")


class RunWriter:
    """Owns a run directory while a run writes to it."""

    def __init__(self, run_dir: Path, tally: Tally):
        self.dir = run_dir
        self.tally = tally
        self.started = time.time()
        # Every line is written before it is reported (a killed process loses none). Rounds and
        # examples are fsynced one by one, on a thread of their own so the event loop never waits
        # for the disk; the high-rate call log at most every second (its replies are in the cache).
        self.hint = resume_hint(run_dir)
        self._calls = Appender(run_dir / "calls.jsonl", fsync_every_s=1.0, hint=self.hint)
        self._rounds = Appender(run_dir / "rounds.jsonl", hint=self.hint, background=True)
        self._accepted = Appender(run_dir / "accepted.jsonl", hint=self.hint, background=True)
        self.listeners: list[Any] = []
        self.lock: RunLock | None = None
        """The run directory's lock, when the writer made the directory (see `create`)."""

    @classmethod
    def create(
        cls,
        run_dir: Path,
        config: RunConfig,
        prompts: PromptSet,
        documents: dict[str, Any],
        warnings: list[str],
        tally: Tally,
        docs: list[Any] = (),
    ) -> RunWriter:
        """A new run directory with config.json, documents.json (the ids of `docs`) and the
        prompts used, made atomically: built under a hidden temporary name beside RUN_DIR and
        renamed once complete, so a failure (a full disk, Ctrl-C) leaves no half-made RUN_DIR.
        The writer holds the directory's lock (`self.lock`)."""
        run_dir = Path(run_dir)
        if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
            raise RunDirError(f"{run_dir} already exists and is not empty; choose another --out")
        hint = "free space and run again (nothing was left behind)"
        try:
            run_dir.parent.mkdir(parents=True, exist_ok=True)
            discard_stale(run_dir)
            tmp = Path(
                tempfile.mkdtemp(prefix=f".{run_dir.name}.", suffix=".creating", dir=run_dir.parent)
            )
        except OSError as exc:
            raise RunDirError(f"cannot create {run_dir}: {exc.strerror}") from None
        umask = os.umask(0o22)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # as mkdir would have made it (mkdtemp makes it private)
        lock = RunLock(tmp)  # the lock is on the directory itself: it survives the rename
        try:
            prompts.write_copies(tmp / "prompts")
            write_json_atomic(tmp / "config.json", run_header(config, prompts, documents, warnings))
            write_manifest(tmp, list(docs))
            os.rename(tmp, run_dir)  # onto nothing, or onto an empty directory; else it fails
        except WriteFailed as exc:
            discard(tmp, lock)
            raise WriteFailed(
                run_dir / exc.path.relative_to(tmp), OSError(exc.errno, exc.strerror), hint
            ) from None
        except OSError as exc:
            discard(tmp, lock)
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise RunDirError(
                    f"{run_dir} already exists and is not empty; choose another --out"
                ) from None
            where = Path(exc.filename) if exc.filename else tmp
            where = run_dir / where.relative_to(tmp) if where.is_relative_to(tmp) else run_dir
            raise WriteFailed(where, exc, hint) from None
        except BaseException:
            discard(tmp, lock)
            raise
        writer = cls(run_dir, tally)
        writer.lock = lock
        return writer

    @classmethod
    def reopen(cls, run_dir: Path, tally: Tally, note: dict[str, Any]) -> RunWriter:
        """An existing run directory, to append to after a resume (noted in config.json)."""
        header = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        header.setdefault("resumes", []).append(note)
        write_json_atomic(run_dir / "config.json", header, resume_hint(run_dir))
        return cls(run_dir, tally)

    def call(self, record: dict[str, Any]) -> None:
        # Validated on write as on read: a malformed call record fails here, not in a report.
        record = CallRecord.model_validate(record).model_dump(mode="json")
        self._calls.append(record)
        self.tally.add_call(record)
        for listener in self.listeners:
            listener("call", record)

    def round(self, record: RoundRecord) -> None:
        data = record.model_dump(mode="json")
        RoundRecord.model_validate(data)  # a model_copy(update=...) skips validation: check here
        self._rounds.append(data)
        self.tally.add_round(data, kept=keeps(record, record.mode))
        for listener in self.listeners:
            listener("round", data)

    def accepted(self, example: Example) -> None:
        data = example.model_dump(mode="json")
        Example.model_validate(data)
        self._accepted.append(data)
        for listener in self.listeners:
            listener("example", data)

    def document_done(self, doc_id: str, accepted: bool, kept: bool | None = None) -> None:
        kept = accepted if kept is None else kept
        self.tally.add_document(accepted, kept)
        for listener in self.listeners:
            listener("document", {"doc_id": doc_id, "accepted": accepted, "kept": kept})

    def write_summary(
        self, status: str, stop_reason: str = "", extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        summary = self.tally.summary() | {
            "status": status,
            "stop_reason": stop_reason,
            "wall_s": round(time.time() - self.started, 3),
            **(extra or {}),
        }
        summary = Summary.model_validate(summary).model_dump(mode="json")
        write_json_atomic(self.dir / "summary.json", summary, self.hint)
        return summary

    def close(self) -> None:
        """Close every record file (all of them, even when one fails: the first failure is
        raised after)."""
        failed = None
        for appender in (self._calls, self._rounds, self._accepted):
            try:
                appender.close()
            except WriteFailed as exc:
                failed = failed or exc
        if failed is not None:
            raise failed


def run_header(
    config: RunConfig, prompts: PromptSet, documents: dict[str, Any], warnings: list[str]
) -> dict[str, Any]:
    """config.json: the resolved config (no secrets), thresholds, prompt hashes, versions."""
    return {
        "format_version": FORMAT_VERSION,
        "workbench_version": __version__,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": config.resolved().model_dump(mode="json"),
        "thresholds": config.thresholds().model_dump(mode="json"),
        "prompts": {
            role: {"file": f"prompts/{role}.j2", "sha256": p.sha256, "source": p.source}
            for role, p in prompts.prompts.items()
        },
        "documents": documents,
        "warnings": warnings,
    }


class Run:
    """A run directory read back: config, summary and records as pandas DataFrames."""

    def __init__(self, path: str | Path):
        self.dir = Path(path)
        if not (self.dir / "config.json").is_file():
            raise RunDirError(f"{self.dir} is not a run directory (no config.json)")

    def __repr__(self) -> str:
        s = self.summary
        return f"Run({str(self.dir)!r}: {s['accepted']} accepted of {s['rounds']} rounds, {s['documents']} documents)"

    @cached_property
    def header(self) -> dict[str, Any]:
        import json

        return json.loads((self.dir / "config.json").read_text(encoding="utf-8"))

    @property
    def config(self) -> RunConfig:
        return RunConfig.model_validate(self.header["config"])

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The run's totals (see `_stored_summary`) and, counted now, its human reviews."""
        summary = self._stored_summary()
        if (self.dir / "reviews.jsonl").is_file():
            summary["reviews"] = review_counts(self.dir)
        if filtered_path(self.dir).is_file():  # the final filter, counted now (it may be re-run)
            ids = [e.id for e in read_records(self.dir / "accepted.jsonl", "accepted")]
            summary["filter"] = filter_counts(self.dir, ids)
            summary["retained"] = summary["filter"]["retained"]
        return summary

    def _stored_summary(self) -> dict[str, Any]:
        """summary.json, or totals recomputed from the records if the run never finished."""

        path = self.dir / "summary.json"
        if path.is_file():
            stored = read_summary(path)
            if stored.upgraded_from == 0:
                # Release 0.1 counted baseline's kept tasks as accepted: recount from the records.
                ending = stored.model_dump(include={"status", "stop_reason", "wall_s"})
                return recompute_summary(self.dir, self.header) | ending
            summary = stored.model_dump(mode="json", exclude={"upgraded_from"})
            if summary["calls"] and not summary["spend_by_role"]:
                # Written before spend was summed: counted now from the records.
                fresh = recompute_summary(self.dir, self.header)
                summary |= {k: fresh[k] for k in SPEND_FIELDS}
            return summary
        return recompute_summary(self.dir, self.header) | {
            "status": "incomplete",
            "stop_reason": "no summary.json",
        }

    def check(self) -> None:
        """Read every record file and summary.json through its type (RunDirError, naming the
        file and line, at the first line that is not a record of its file)."""
        for name in ("calls", "rounds", "accepted", "reviews"):
            self.typed(name)
        read_filtered(self.dir, {e.id for e in self.typed("accepted")})
        _ = self.summary

    def typed(self, name: str) -> list:
        """The records of `name`.jsonl (calls, rounds, accepted), validated and upgraded."""
        return read_records(self.dir / f"{name}.jsonl", name)

    def records(self, name: str) -> list[dict[str, Any]]:
        """The records of `name`.jsonl as JSON objects in today's format."""
        return [r.model_dump(mode="json") for r in self.typed(name)]

    @cached_property
    def rounds(self):
        from workbench.records._frames import rounds_frame

        return rounds_frame(self.records("rounds"))

    @cached_property
    def accepted(self):
        from workbench.records._frames import accepted_frame

        return accepted_frame(self.records("accepted"))

    @property
    def reviews(self) -> dict[str, Review]:
        """The latest human review of each accepted example, by example id (reviews.jsonl,
        read afresh each time: a reviewer may be appending)."""
        return latest_reviews(self.dir)

    @cached_property
    def calls(self):
        from workbench.records._frames import calls_frame

        return calls_frame(self.records("calls"))


def recompute_summary(run_dir: Path, header: dict[str, Any]) -> dict[str, Any]:
    """summary.json's totals from the records, for a run that never wrote one (killed)."""
    tally = Tally(documents=header.get("documents", {}).get("count", 0))
    config = header.get("config", {})
    mode = config.get("mode", "agentic")
    rounds = read_records(run_dir / "rounds.jsonl", "rounds")
    # Calls first, as the run wrote them: each round's spend is then told its decision.
    for c in read_records(run_dir / "calls.jsonl", "calls"):
        tally.add_call(c.model_dump(mode="json"))
    for r in rounds:
        tally.add_round(r.model_dump(mode="json"), kept=keeps(r, mode))
    for done, accepted, kept in document_states(
        rounds, mode, config.get("max_rounds", 10)
    ).values():
        if done:
            tally.add_document(accepted, kept)
    return tally.summary()


def load_run(path: str | Path) -> Run:
    """Open a run directory for analysis."""
    return Run(path)
