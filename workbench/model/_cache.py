"""The call cache: answered requests on disk (SQLite, WAL), so nothing is paid for twice.

The key covers everything that decides a reply: model, api_base, messages,
generation parameters, response format and the rollout index. Rollouts stay
distinct; a rerun or a resumed run hits. Only successful replies are stored,
and each is committed before the caller sees it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

# Request fields that do not change the reply (or must never be stored).
_NOT_KEYED = {"api_key", "timeout", "drop_params", "max_retries", "metadata"}


def default_path() -> Path:
    root = os.environ.get("WORKBENCH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "workbench"
    )
    return Path(root) / "calls.sqlite"


def cache_key(request: dict[str, Any], rollout: int) -> str:
    """A stable hash of the request's reply-deciding fields plus the rollout index."""
    keyed = {k: v for k, v in request.items() if k not in _NOT_KEYED}
    keyed["_rollout"] = rollout
    blob = json.dumps(keyed, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class CallCache:
    """A SQLite table of replies, safe to share between processes (WAL mode)."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
            "request TEXT NOT NULL, reply TEXT NOT NULL, created REAL NOT NULL)"
        )

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, request: dict[str, Any], reply: dict[str, Any]) -> None:
        stored = {k: v for k, v in request.items() if k != "api_key"}
        self._db.execute(
            "INSERT OR REPLACE INTO replies (key, model, request, reply, created) VALUES (?, ?, ?, ?, ?)",
            (
                key,
                str(request.get("model")),
                json.dumps(stored, default=str),
                json.dumps(reply),
                time.time(),
            ),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def keys(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT key FROM replies")}

    def requests(self) -> list[dict[str, Any]]:
        return [json.loads(row[0]) for row in self._db.execute("SELECT request FROM replies")]

    def close(self) -> None:
        self._db.close()
