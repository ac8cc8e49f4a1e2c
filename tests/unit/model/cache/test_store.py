"""The call cache serves only what it provably wrote; SQLite errors are one line."""

import sqlite3

import pytest

from tests.unit.model.cache.helpers import (
    edit_in_place,
    filled,
    junk_in_the_middle,
    legacy,
    not_sqlite,
    random_bytes,
    truncate,
)
from workbench.model.cache import CacheError, CallCache, _store, entry_digest


def _open(path, **kw):
    lines = []
    return CallCache(path, on_warning=lines.append, **kw), lines


def test_every_entry_is_served_with_a_digest_over_key_and_reply(tmp_path):
    served = filled(tmp_path / "c.sqlite")
    cache, _ = _open(tmp_path / "c.sqlite")
    assert all(cache.get(k) == v for k, v in served.items())
    key, reply, digest = (
        sqlite3.connect(tmp_path / "c.sqlite")
        .execute("SELECT key, reply, digest FROM replies LIMIT 1")
        .fetchone()
    )
    assert digest == entry_digest(key, reply) and entry_digest(key + "x", reply) != digest


def test_replies_edited_in_place_as_valid_json_are_misses_counted_once_and_replaced(tmp_path):
    path = tmp_path / "c.sqlite"
    served = filled(path)
    assert edit_in_place(path) == len(served)
    cache, lines = _open(path)
    assert all(cache.get(k) is None for k in served)
    assert cache.rejected["digest_mismatch"] == len(served)
    key, reply = next(iter(served.items()))
    cache.put(key, {"model": "m"}, reply)  # the fresh reply replaces the bad entry
    assert cache.get(key) == reply
    cache.close()
    cache.close()
    assert len(lines) == 1 and f"{len(served)} failed their integrity check" in lines[0]
    assert str(path) in lines[0] and "workbench cache verify" in lines[0]


def test_an_old_file_without_digests_opens_and_its_entries_are_not_served(tmp_path):
    keys = legacy(tmp_path / "old.sqlite")
    cache, lines = _open(tmp_path / "old.sqlite")
    assert [cache.get(k) for k in keys] == [None] * len(keys)
    assert cache.rejected["unverified"] == len(keys)
    cache.put(keys[0], {"model": "m"}, {"text": "new"})
    assert cache.get(keys[0]) == {"text": "new"}
    cache.close()
    assert len(lines) == 1 and "--adopt-legacy" in lines[0]


@pytest.mark.parametrize("damage", [junk_in_the_middle, truncate, not_sqlite])
def test_a_damaged_file_is_one_line_at_open(tmp_path, damage):
    path = tmp_path / "c.sqlite"
    filled(path, 400)
    damage(path)
    with pytest.raises(CacheError) as info:
        CallCache(path)
    message = str(info.value)
    assert info.value.kind == "damaged" and "\n" not in message and str(path) in message
    assert "--no-cache" in message and "workbench cache verify --fix" in message


def test_a_zero_byte_file_is_an_empty_cache(tmp_path):
    (tmp_path / "c.sqlite").write_bytes(b"")
    cache, _ = _open(tmp_path / "c.sqlite")
    assert len(cache) == 0 and cache.get("anything") is None


@pytest.mark.parametrize("seed", range(25))
def test_random_byte_changes_never_serve_a_wrong_reply(tmp_path, seed):
    path = tmp_path / "c.sqlite"
    served = filled(path, 200)
    random_bytes(path, seed)
    try:
        cache, _ = _open(path)
    except CacheError as exc:
        assert exc.kind == "damaged" and "\n" not in str(exc)
        return
    for key, reply in served.items():
        assert cache.get(key) in (None, reply)  # a miss or the very reply, never another
    cache.close()


def test_a_read_that_fails_mid_run_is_a_miss_with_one_warning(tmp_path):
    path = tmp_path / "c.sqlite"
    served = filled(path, 400)
    cache, lines = _open(path, check=False)  # nothing read yet: damage found later, by reads
    junk_in_the_middle(path, 256 * 1024)
    got = [cache.get(k) for k in served]
    assert all(g in (None, served[k]) for g, k in zip(got, served, strict=True))
    assert cache.rejected["unreadable"] > 0 and len(lines) == 1
    assert "damaged" in lines[0] and "re-asked" in lines[0]


def test_a_full_disk_is_a_cache_error_and_later_writes_are_not_tried(tmp_path, monkeypatch):
    real = _store.connect

    def small(path, timeout_s):
        db = real(path, timeout_s)
        db.execute("PRAGMA max_page_count = 8")
        return db

    monkeypatch.setattr(_store, "connect", small)
    cache, lines = _open(tmp_path / "c.sqlite")
    with pytest.raises(CacheError) as info:
        for i in range(1000):
            cache.put(f"k{i}", {"model": "m"}, {"text": "x" * 2000})
    assert info.value.kind == "full" and "--no-cache" in str(info.value)
    assert "no space left for the call cache" in str(info.value)
    with pytest.raises(CacheError):
        cache.put("again", {"model": "m"}, {"text": "y"})
    assert cache.write_error is info.value
    cache.close()
    assert any("were not cached" in line for line in lines)


def test_a_lock_held_past_the_timeout_is_one_line_at_open(tmp_path):
    path = tmp_path / "c.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(CacheError) as info:
        CallCache(path, timeout_s=0.2)
    holder.execute("ROLLBACK")
    assert info.value.kind == "locked" and "another process" in str(info.value)


def test_a_write_blocked_past_the_timeout_is_a_cache_error(tmp_path):
    path = tmp_path / "c.sqlite"
    cache, _ = _open(path, timeout_s=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(CacheError) as info:
        cache.put("k", {"model": "m"}, {"text": "x"})
    holder.execute("ROLLBACK")
    assert info.value.kind == "locked"
    assert cache.get("k") is None


def test_a_directory_or_an_unwritable_place_is_one_line(tmp_path):
    with pytest.raises(CacheError, match="cannot open the call cache"):
        CallCache(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CacheError, match="cannot open the call cache"):
        CallCache(tmp_path / "file" / "c.sqlite")
