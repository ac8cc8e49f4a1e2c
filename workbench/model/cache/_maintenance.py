"""`workbench cache stats|verify|prune`: what is in the cache file, whether every entry is
provably intact (and SQLite's own integrity check passes), and removing old entries."""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from workbench.model.cache._errors import CacheError, explain
from workbench.model.cache._key import entry_digest, intact
from workbench.model.cache._store import SCHEMA, CallCache, connect, migrate


@dataclass
class Stats:
    """What one cache file holds."""

    path: Path
    size_bytes: int
    """The file and its -wal and -shm companions."""
    entries: int
    by_model: dict[str, int]
    oldest: float | None
    newest: float | None
    unverified: int
    """Entries written before entries carried a digest (never served)."""


@dataclass
class Verified:
    """The outcome of `verify`: every entry's digest and SQLite's integrity_check."""

    path: Path
    entries: int = 0
    intact: int = 0
    mismatched: int = 0
    """Entries whose digest does not match their key and reply (or that cannot be decoded)."""
    unverified: int = 0
    """Entries without a digest (written by an older workbench)."""
    problems: list[str] = field(default_factory=list)
    """What SQLite's integrity_check (or reading the rows) reported; empty when sound."""
    removed: int = 0
    adopted: int = 0
    rebuilt: Path | None = None
    """Where the damaged original was moved when the file had to be rebuilt."""

    @property
    def bad(self) -> int:
        """Entries or problems still in the file (0: every remaining entry is provably intact)."""
        if self.rebuilt is not None:
            return 0
        left = self.mismatched + self.unverified - self.removed - self.adopted
        return max(left, 0) + len(self.problems)


def size_on_disk(path: Path) -> int:
    return sum(
        p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.is_file()
    )


def existing(path: str | Path) -> Path:
    """`path`, which must be a cache file (maintenance never creates one)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise CacheError(f"{path} is a directory, not a call cache file (pass --path FILE)")
    if not path.is_file():
        raise CacheError(f"no call cache at {path} (nothing cached yet, or pass --path FILE)")
    return path


def stats(path: str | Path) -> Stats:
    """Entries, size on disk, entries by model, oldest and newest entry."""
    path = existing(path)
    cache = CallCache(path, check=False)
    try:
        db = cache._db
        entries, oldest, newest = db.execute(
            "SELECT COUNT(*), MIN(created), MAX(created) FROM replies"
        ).fetchone()
        by_model = dict(
            db.execute("SELECT model, COUNT(*) FROM replies GROUP BY model ORDER BY 2 DESC")
        )
        unverified = db.execute("SELECT COUNT(*) FROM replies WHERE digest IS NULL").fetchone()[0]
    except sqlite3.Error as exc:
        raise explain(path, exc, "reading it", cache.timeout_s) from None
    finally:
        cache.close()
    return Stats(path, size_on_disk(path), entries, by_model, oldest, newest, unverified)


def verify(path: str | Path, fix: bool = False, adopt_legacy: bool = False) -> Verified:
    """Check every entry's digest and SQLite's integrity_check. With `fix`, remove the entries
    that fail (and those without a digest, unless `adopt_legacy`); a file SQLite finds damaged
    is rebuilt from its intact entries, the original moved aside. `adopt_legacy` gives the
    entries without a digest one: the user vouches that they were not altered."""
    path = existing(path)
    try:
        cache = CallCache(path, check=False)
    except CacheError as exc:
        if exc.kind != "damaged":
            raise
        return _unopenable(path, str(exc), fix)
    out = Verified(path)
    db = cache._db
    try:
        out.problems = [p for (p,) in db.execute("PRAGMA integrity_check(20)") if p != "ok"]
    except sqlite3.Error as exc:
        out.problems = [str(exc)]
    bad: list[str] = []
    legacy: list[str] = []
    rows, read_problem = _rows(db)
    if read_problem:
        out.problems.append(read_problem)
    for key, _model, _request, reply, _created, digest in rows:
        out.entries += 1
        if digest is None and isinstance(key, str):
            out.unverified += 1
            legacy.append(key)
        elif isinstance(key, str) and intact(key, reply, digest):
            out.intact += 1
        else:
            out.mismatched += 1
            bad.append(key)
    if not fix:
        cache.close()
        return out
    if out.problems:
        cache.close()
        return _rebuild(path, rows, out, adopt_legacy)
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            for key in bad + ([] if adopt_legacy else legacy):
                db.execute("DELETE FROM replies WHERE key IS ?", (key,))
            for key in legacy if adopt_legacy else []:
                (reply,) = db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
                db.execute(
                    "UPDATE replies SET digest = ? WHERE key = ?", (entry_digest(key, reply), key)
                )
        out.removed = len(bad) + (0 if adopt_legacy else len(legacy))
        out.adopted = len(legacy) if adopt_legacy else 0
    except sqlite3.Error as exc:
        raise explain(path, exc, "removing bad entries", cache.timeout_s) from None
    finally:
        cache.close()
    return out


def _rows(db: sqlite3.Connection) -> tuple[list[tuple], str]:
    """Every row SQLite can still read, by rowid; and what stopped a plain scan ('' if nothing)."""
    columns = "rowid, key, model, request, reply, created, digest"
    rows: list[tuple] = []
    try:
        rows = list(db.execute(f"SELECT {columns} FROM replies ORDER BY rowid"))
        return [r[1:] for r in rows], ""
    except sqlite3.Error as exc:
        problem = f"reading the entries: {exc}"
    # A damaged table: seek row by row past what cannot be read, each failure skipping twice
    # as far as the one before (bounded: 64 failures in a row reach the end of any rowid).
    rows = []
    last, step, failures = 0, 1, 0
    while failures < 64 and last < 2**63 - 1:
        try:
            row = db.execute(
                f"SELECT {columns} FROM replies WHERE rowid > ? ORDER BY rowid LIMIT 1", (last,)
            ).fetchone()
        except sqlite3.Error:
            last, step, failures = min(last + step, 2**63 - 1), step * 2, failures + 1
            continue
        if row is None:
            break
        rows.append(row[1:])
        last, step, failures = row[0], 1, 0
    return rows, problem


def _rebuild(path: Path, rows: list[tuple], out: Verified, adopt_legacy: bool) -> Verified:
    """Write the intact rows to a new file, move the damaged one aside, put the new one in place."""
    fresh = path.with_name(f"{path.name}.rebuilding")
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for p in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        p.unlink(missing_ok=True)
    kept = 0
    try:
        db = connect(fresh, 30)
        db.execute(SCHEMA)
        migrate(db)
        with db:
            db.execute("BEGIN")
            for key, model, request, reply, created, digest in rows:
                if not isinstance(key, str):
                    continue
                if digest is None and adopt_legacy and isinstance(reply, str):
                    digest = entry_digest(key, reply)
                    out.adopted += 1
                if not intact(key, reply, digest):
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO replies (key, model, request, reply, created, digest) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, str(model), str(request), reply, float(created or 0), digest),
                )
                kept += 1
        db.close()
        _move_aside(path, aside)
        os.replace(fresh, path)
    except (OSError, sqlite3.Error) as exc:
        raise explain(path, exc, "rebuilding it", 30) from None
    out.removed = out.entries - kept
    out.rebuilt = aside
    return out


def _unopenable(path: Path, message: str, fix: bool) -> Verified:
    """A file SQLite does not recognise: nothing in it can be read; with `fix`, moved aside."""
    out = Verified(path, problems=[message])
    if fix:
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            _move_aside(path, aside)
        except OSError as exc:
            raise explain(path, exc, "moving it aside", 30) from None
        out.rebuilt = aside
    return out


def _move_aside(path: Path, aside: Path) -> None:
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            os.replace(companion, Path(f"{aside}{suffix}"))


def prune(path: str | Path, older_than_s: float) -> tuple[int, int, int]:
    """Remove the entries older than `older_than_s` seconds and compact the file:
    (entries removed, bytes before, bytes after)."""
    path = existing(path)
    before = size_on_disk(path)
    cache = CallCache(path, check=False)
    db = cache._db
    try:
        removed = db.execute(
            "DELETE FROM replies WHERE created < ?", (time.time() - older_than_s,)
        ).rowcount
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise explain(path, exc, "pruning it", cache.timeout_s) from None
    finally:
        cache.close()
    return removed, before, size_on_disk(path)
