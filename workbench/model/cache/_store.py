"""The call cache: answered requests on disk (SQLite, WAL), so nothing is paid for twice.

Only successful replies are stored, each with a digest over its key and reply
(see `_key`), and each is committed before the caller sees it. An entry is
served only when its digest matches; otherwise it is a miss, counted in
`rejected` and replaced by the fresh reply. A file SQLite cannot open or finds
damaged is a `CacheError` (one line) before any call; a read that fails later is a
miss with one warning; a write that fails is a `CacheError` the caller handles
(the model client keeps the reply and stops the run cleanly).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.model.cache._errors import CacheError, explain
from workbench.model.cache._key import entry_digest, intact

BUSY_TIMEOUT_S = 30.0
"""How long a read or write waits for another process's lock before it is an error."""

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
    "request TEXT NOT NULL, reply TEXT NOT NULL, created REAL NOT NULL, digest TEXT)"
)
_COLUMNS = {"key", "model", "request", "reply", "created"}

REJECTED = {
    "digest_mismatch": "failed their integrity check",
    "unverified": "were written before entries carried a digest",
    "unreadable": "could not be read",
}
"""Why an entry was a miss although present, as counted in `CallCache.rejected`."""


def connect(path: Path, timeout_s: float) -> sqlite3.Connection:
    """The one place a cache connection is made. Text that is not UTF-8 (damaged bytes) is
    read with replacement characters, so it fails its digest instead of raising."""
    db = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
    db.text_factory = lambda raw: raw.decode("utf-8", "replace")
    return db


def migrate(db: sqlite3.Connection) -> None:
    """Create the table, or bring an older one up to date (a `digest` column: the entries
    written before it have none, so they are never served; `workbench cache verify
    --adopt-legacy` vouches for them)."""
    db.execute(SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(replies)")}
    missing = _COLUMNS - columns
    if missing:
        raise sqlite3.DatabaseError(
            f"file is not a database of the workbench (table replies has no {', '.join(sorted(missing))})"
        )
    if "digest" not in columns:
        db.execute("ALTER TABLE replies ADD COLUMN digest TEXT")


def _stderr(line: str) -> None:
    print(f"workbench: warning: {line}", file=sys.stderr)


class CallCache:
    """A SQLite table of replies with a digest each, safe to share between processes (WAL).

    `check` (default on) runs SQLite's quick_check when the file is opened, so a damaged
    file is refused before the first call rather than found in the middle of a run."""

    def __init__(
        self,
        path: str | Path,
        timeout_s: float | None = None,
        check: bool = True,
        on_warning: Callable[[str], None] | None = None,
    ):
        self.path = Path(path).expanduser()
        self.timeout_s = BUSY_TIMEOUT_S if timeout_s is None else timeout_s
        self.rejected: Counter[str] = Counter()
        """Entries present but not served, by reason (see REJECTED)."""
        self.write_error: CacheError | None = None
        """The first failed write; later writes are not tried."""
        self._warn = on_warning or _stderr
        self._warned: set[str] = set()
        self._db = self._open(check)

    def _open(self, check: bool) -> sqlite3.Connection:
        db = None
        try:
            if self.path.is_dir():
                raise IsADirectoryError(f"{self.path} is a directory")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = connect(self.path, self.timeout_s)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            migrate(db)
            if check:
                problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError(f"database disk image is malformed: {problems[0]}")
            return db
        except (OSError, sqlite3.Error, UnicodeError) as exc:
            if db is not None:
                db.close()
            raise explain(self.path, exc, "opening it", self.timeout_s) from None

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored reply for `key`, or None: absent, or present but not provably intact."""
        try:
            row = self._db.execute(
                "SELECT reply, digest FROM replies WHERE key = ?", (key,)
            ).fetchone()
        except (sqlite3.Error, UnicodeError) as exc:
            self._reject("unreadable", str(explain(self.path, exc, "reading it", self.timeout_s)))
            return None
        if row is None:
            return None
        reply, digest = row
        if digest is None:
            self._reject("unverified")
            return None
        if not intact(key, reply, digest):
            self._reject("digest_mismatch")
            return None
        try:
            value = json.loads(reply)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            self._reject("digest_mismatch")
            return None
        return value

    def put(self, key: str, request: dict[str, Any], reply: dict[str, Any]) -> None:
        """Store (or replace) the reply for `key`; a failure is a CacheError, and so is every
        later put (the first failure is kept in `write_error`)."""
        if self.write_error is not None:
            raise self.write_error
        stored = {k: v for k, v in request.items() if k != "api_key"}
        text = json.dumps(reply)
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO replies (key, model, request, reply, created, digest) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    str(request.get("model")),
                    json.dumps(stored, default=str),
                    text,
                    time.time(),
                    entry_digest(key, text),
                ),
            )
        except (OSError, sqlite3.Error, UnicodeError) as exc:
            self.write_error = explain(self.path, exc, "writing it", self.timeout_s)
            raise self.write_error from None

    def _reject(self, reason: str, line: str = "") -> None:
        self.rejected[reason] += 1
        if line and reason not in self._warned:  # a failing read is said at once, once
            self._warned.add(reason)
            self._warn(f"{line}; such entries are re-asked (misses)")

    def report(self) -> str:
        """One line for the entries present but not served ('' when there were none)."""
        counts = [
            f"{n} {REJECTED[reason]}"
            for reason, n in sorted(self.rejected.items())
            if reason in REJECTED and n
        ]
        if not counts:
            return ""
        tail = ""
        if self.rejected.get("unverified"):
            tail = f"; `workbench cache verify --adopt-legacy --path {self.path}` vouches for old entries"
        return (
            f"call cache {self.path}: {' and '.join(counts)}: not served, re-asked and replaced "
            f"(`workbench cache verify --path {self.path}` checks every entry){tail}"
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def keys(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT key FROM replies")}

    def requests(self) -> list[dict[str, Any]]:
        return [json.loads(row[0]) for row in self._db.execute("SELECT request FROM replies")]

    def close(self) -> None:
        """Close the file, saying once what was not served (see `report`) and whether a write
        failed."""
        if "closed" not in self._warned:
            self._warned.add("closed")
            if self.report():
                self._warn(self.report())
            if self.write_error is not None:
                self._warn(f"{self.write_error}; the replies after it were not cached")
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
