"""`workbench repair RUN_DIR`: a damaged run directory made consistent again.

rounds.jsonl is the record of what happened; accepted.jsonl and summary.json are derived
from it. Damaged lines (not a record, not one of the run's documents, a decision the rule does
not give, a repeated or out-of-order round, a torn last line) are set aside, each with its
reason, in `<file>.rejected.jsonl`; accepted.jsonl and summary.json are rebuilt from the rounds
that remain. Every file rewritten is first copied to `repair-backup-<time>/`. Running it again
changes nothing. The rounds set aside are redone by `workbench run --resume RUN_DIR`."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.engines._resume import existing_run_dir
from workbench.engines._validate import Checked, check_run
from workbench.errors import RunDirError
from workbench.records import (
    EXAMPLE_FIELDS,
    Appender,
    RunLock,
    Summary,
    dumps,
    numbered_lines,
    recompute_summary,
    to_example,
    write_text_atomic,
)

REPAIRED = "repaired"


@dataclass
class Repaired:
    """What `repair_run` did."""

    run_dir: Path
    set_aside: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Per file, the (line, reason) of each line set aside in `<file>.rejected.jsonl`."""
    rewritten: list[str] = field(default_factory=list)
    """Files rewritten (their old content is in `backup`)."""
    backup: Path | None = None

    def lines(self) -> list[str]:
        """What was done, in a few lines."""
        if not self.rewritten:
            return [f"{self.run_dir}: nothing to repair (every record checks out)"]
        out = []
        for name, lines in self.set_aside.items():
            first_line, first_reason = lines[0]
            out.append(
                f"{name}: {len(lines)} line{'s' * (len(lines) != 1)} set aside in "
                f"{name.removesuffix('.jsonl')}.rejected.jsonl (first: line {first_line}: {first_reason})"
            )
        derived = [n for n in self.rewritten if n not in self.set_aside]
        if derived:
            out.append(f"rebuilt from rounds.jsonl: {', '.join(derived)}")
        out.append(f"backups of the rewritten files: {self.backup}")
        if "rounds.jsonl" in self.set_aside:
            out.append(f"redo the rounds set aside with: workbench run --resume {self.run_dir}")
        return out


def repair_run(run_dir: str | Path) -> Repaired:
    """Set damaged lines aside and rebuild accepted.jsonl and summary.json (see the module)."""
    run_dir = existing_run_dir(Path(run_dir))
    lock = RunLock(run_dir)
    try:
        return _repair(run_dir)
    finally:
        lock.release()


def _repair(run_dir: Path) -> Repaired:
    checked = check_run(run_dir)
    done = Repaired(run_dir)
    texts: dict[str, str] = {}
    for kind in ("rounds", "calls", "reviews", "filtered"):
        name = f"{kind}.jsonl"
        bad = {p.line: p.what for p in checked.problems.get(kind, []) if p.line is not None}
        kept, aside = _split(run_dir / name, bad)
        if aside:
            done.set_aside[name] = [(n, why) for n, why, _ in aside]
            texts[name] = kept
    accepted, aside = _accepted(checked, dict(numbered_lines(run_dir / "accepted.jsonl")))
    if aside:
        done.set_aside["accepted.jsonl"] = [(n, why) for n, why, _ in aside]
    if sorted(_read(run_dir / "accepted.jsonl").splitlines()) != sorted(accepted.splitlines()):
        texts["accepted.jsonl"] = accepted
    rejected = {name: lines for name, lines in _rejected(run_dir, done, aside).items()}
    if not texts and not rejected:
        summary = _summary(run_dir, checked.header, rounds_changed=False)
        if summary is None:
            return done
        texts["summary.json"] = summary
    stamp = time.strftime("%Y%m%d-%H%M%S")
    done.backup = run_dir / f"repair-backup-{stamp}"
    done.backup.mkdir(exist_ok=True)
    for name, text in texts.items():
        if (run_dir / name).exists():
            shutil.copy2(run_dir / name, done.backup / name)
        write_text_atomic(run_dir / name, text)
        done.rewritten.append(name)
    for name, records in rejected.items():
        appender = Appender(run_dir / name)
        try:
            for record in records:
                appender.append(record)
        finally:
            appender.close()
    if "summary.json" not in texts:
        summary = _summary(run_dir, checked.header, rounds_changed="rounds.jsonl" in texts)
        if summary is not None:
            if (run_dir / "summary.json").exists():
                shutil.copy2(run_dir / "summary.json", done.backup / "summary.json")
            write_text_atomic(run_dir / "summary.json", summary)
            done.rewritten.append("summary.json")
    return done


def _split(path: Path, bad: dict[int, str]) -> tuple[str, list[tuple[int, str, str]]]:
    """The file's text without the `bad` lines and without a torn last line, and those lines
    as (line, reason, text)."""
    text = _read(path)
    lines = text.split("\n")
    kept, aside = [], []
    for n, line in enumerate(lines[:-1], 1):
        if n in bad:
            aside.append((n, bad[n], line))
        elif line.strip():
            kept.append(line + "\n")
    if lines[-1]:
        aside.append((len(lines), "torn last line (a write that never finished)", lines[-1]))
    return "".join(kept), aside


def _accepted(checked: Checked, raw: dict[int, str]) -> tuple[str, list[tuple[int, str, str]]]:
    """accepted.jsonl as the good rounds imply it (an existing line is kept as written when it
    is its round's example), and the lines that are not, with the reason."""
    existing: dict[str, tuple[int, Any]] = {}
    for n, e in checked.examples:
        existing.setdefault(e.id, (n, e))
    lines, used = [], set()
    for _, r in checked.good_rounds:
        want = to_example(r, checked.mode)
        if want is None:
            continue
        n, have = existing.get(want.id, (None, None))
        if have is not None and all(getattr(have, f) == getattr(want, f) for f in EXAMPLE_FIELDS):
            lines.append(raw[n] + "\n")
            used.add(n)
        else:
            lines.append(dumps(want.model_dump(mode="json")) + "\n")
    why = {p.line: p.what for p in checked.problems.get("accepted", []) if p.line is not None}
    aside = [
        (n, why.get(n, "not its round's example"), raw[n])
        for n, e in checked.examples
        if n not in used
    ]
    return "".join(lines), aside


def _rejected(run_dir: Path, done: Repaired, accepted_aside) -> dict[str, list[dict[str, Any]]]:
    """The records to append to each `<file>.rejected.jsonl`."""
    out: dict[str, list[dict[str, Any]]] = {}
    ts = round(time.time(), 3)
    for name in done.set_aside:
        if name == "accepted.jsonl":
            lines = accepted_aside
        else:
            _, lines = _split(run_dir / name, dict(done.set_aside[name]))
        out[f"{name.removesuffix('.jsonl')}.rejected.jsonl"] = [
            {"line": n, "reason": why, "text": text, "ts": ts} for n, why, text in lines
        ]
    return out


def _summary(run_dir: Path, header: dict[str, Any], rounds_changed: bool) -> str | None:
    """summary.json recomputed from the records (None when the stored one already says that).
    Its status stays unless rounds were set aside (then `repaired`: resume to redo them)."""
    stored = _stored_summary(run_dir / "summary.json")
    kept = ("status", "stop_reason", "wall_s", "retained")  # retained: the final filter's
    ending = {k: stored.get(k) for k in kept if k in stored}
    if rounds_changed or not ending:
        ending = {
            "status": REPAIRED,
            "stop_reason": "damaged lines were set aside by workbench repair; resume to redo them",
            "wall_s": stored.get("wall_s"),
        }
    summary = Summary.model_validate(recompute_summary(run_dir, header) | ending)
    data = summary.model_dump(mode="json")
    if data == stored:
        return None
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _stored_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return (
            Summary.model_validate(data).model_dump(mode="json") if isinstance(data, dict) else {}
        )
    except (OSError, ValueError):
        return {}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    except OSError as exc:
        raise RunDirError(f"cannot read {path}: {exc.strerror}") from None
