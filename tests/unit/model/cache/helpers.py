"""Cache files written by the real CallCache, then damaged the ways the issue found."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

from workbench.model.cache import CallCache, cache_key

REPLY = '{"grades": [{"criterion": 1, "met": true, "reason": "stated"}]}'


def filled(path: Path, n: int = 60) -> dict[str, dict]:
    """A cache with `n` judge-like entries; returns what each key must serve."""
    cache = CallCache(path)
    served = {}
    for i in range(n):
        request = {"model": f"openai/m{i % 3}", "messages": [{"role": "user", "content": f"q{i}"}]}
        key = cache_key(request, 0)
        reply = {
            "text": REPLY.replace("stated", f"stated {i}" * 5),
            "finish_reason": "stop",
            "prompt_tokens": 10 + i,
            "completion_tokens": 5,
        }
        cache.put(key, request, reply)
        served[key] = reply
    cache.close()
    return served


def edit_in_place(path: Path, old: str = '\\"met\\": true', new: str = '\\"met\\": 0') -> int:
    """Rewrite stored replies so they stay valid JSON (what the issue did); the rows changed."""
    db = sqlite3.connect(path)
    with db:
        n = db.execute(
            "UPDATE replies SET reply = replace(reply, ?, ?) WHERE instr(reply, ?) > 0",
            (old, new, old),
        ).rowcount
    db.close()
    return n


def random_bytes(path: Path, seed: int, count: int = 30) -> None:
    rng = random.Random(seed)
    data = bytearray(path.read_bytes())
    for _ in range(count):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))


def junk_in_the_middle(path: Path, size: int = 64 * 1024) -> None:
    with open(path, "r+b") as f:
        f.seek(os.path.getsize(path) // 2)
        f.write(random.Random(7).randbytes(size))


def truncate(path: Path) -> None:
    os.truncate(path, os.path.getsize(path) // 2)


def not_sqlite(path: Path) -> None:
    path.write_text("this is a text file, not a database\n" * 200)


def legacy(path: Path, n: int = 5) -> list[str]:
    """A cache file as written before entries carried a digest."""
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE replies (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
        "request TEXT NOT NULL, reply TEXT NOT NULL, created REAL NOT NULL)"
    )
    keys = [f"k{i}" for i in range(n)]
    with db:
        for k in keys:
            db.execute(
                "INSERT INTO replies VALUES (?, 'openai/old', '{}', ?, 1.0)",
                (
                    k,
                    '{"text": "x", "finish_reason": "stop", "prompt_tokens": 1, "completion_tokens": 1}',
                ),
            )
    db.close()
    return keys
