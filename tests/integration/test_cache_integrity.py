"""Bytes in the call cache that the workbench did not write never change what is accepted:
real runs through the CLI against the simulator over HTTP (LiteLLM's real path)."""

import json
import shutil
import sqlite3

import pytest

from tests.support import cli
from tests.unit.model.cache.helpers import (
    edit_in_place,
    junk_in_the_middle,
    not_sqlite,
    random_bytes,
    truncate,
)
from workbench.config import sim_served

pytestmark = pytest.mark.slow


def _config(tmp_path, api_base, cache_path) -> str:
    config = sim_served(api_base)
    config["cache"] = {"enabled": True, "path": str(cache_path)}
    path = tmp_path / f"config-{cache_path.stem}.json"
    path.write_text(json.dumps(config))
    return str(path)


def _run(config, out, *extra):
    return cli("run", "--config", config, "--no-probe", "--quiet", "--out", str(out), *extra)


def _accepted(run_dir) -> list[tuple]:
    lines = (run_dir / "accepted.jsonl").read_text().splitlines()
    return sorted((r["doc_id"], r["round"]) for r in map(json.loads, lines))


def _summary(run_dir) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


@pytest.fixture(scope="module")
def clean(tmp_path_factory, sim_server):
    """A clean run that fills a cache: its accepted set and the cache file, copied per test."""
    root = tmp_path_factory.mktemp("clean")
    cache = root / "clean.sqlite"
    result = _run(_config(root, sim_server.api_base, cache), root / "run")
    assert result.returncode == 0, result.stderr
    return {
        "accepted": _accepted(root / "run"),
        "cache": cache,
        "calls": _summary(root / "run")["calls"],
    }


def _copy(clean, tmp_path):
    path = tmp_path / "calls.sqlite"
    shutil.copy(clean["cache"], path)
    return path


def test_replies_edited_as_valid_json_are_misses_and_the_accepted_set_is_unchanged(
    tmp_path, sim_server, clean
):
    cache = _copy(clean, tmp_path)
    edited = edit_in_place(cache)  # judge replies: "met": true -> "met": 0, still valid JSON
    assert edited > 10
    before = sim_server.stats()["requests"]
    result = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r")
    assert result.returncode == 0, result.stderr
    assert _accepted(tmp_path / "r") == clean["accepted"]
    summary = _summary(tmp_path / "r")
    asked = sim_server.stats()["requests"] - before
    assert asked >= edited and summary["calls"] - summary["cached_calls"] == asked
    warnings = [line for line in result.stderr.splitlines() if "integrity check" in line]
    assert len(warnings) == 1 and f"{edited} failed their integrity check" in warnings[0]
    assert "Traceback" not in result.stderr
    # The bad entries were replaced by the fresh replies: a third run is served in full.
    again = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r2")
    assert again.returncode == 0 and "integrity" not in again.stderr
    assert _summary(tmp_path / "r2")["cached_calls"] == _summary(tmp_path / "r2")["calls"]


@pytest.mark.parametrize("damage", [junk_in_the_middle, truncate, not_sqlite])
def test_a_damaged_cache_file_is_one_line_and_exit_2_before_any_call(
    tmp_path, sim_server, clean, damage
):
    cache = _copy(clean, tmp_path)
    damage(cache)
    before = sim_server.stats()["requests"]
    result = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert str(cache) in result.stderr and "--no-cache" in result.stderr
    assert "workbench cache verify" in result.stderr
    assert sim_server.stats()["requests"] == before and not (tmp_path / "r").exists()
    # verify --fix keeps what is intact; the run then goes through to the clean accepted set.
    fixed = cli("cache", "verify", "--fix", "--path", str(cache))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    result = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r")
    assert result.returncode == 0, result.stderr
    assert _accepted(tmp_path / "r") == clean["accepted"]


def test_a_zero_byte_cache_file_is_an_empty_cache(tmp_path, sim_server, clean):
    cache = tmp_path / "calls.sqlite"
    cache.write_bytes(b"")
    result = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r")
    assert result.returncode == 0, result.stderr
    assert _accepted(tmp_path / "r") == clean["accepted"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_byte_changes_are_refused_or_misses_never_a_wrong_answer(
    tmp_path, sim_server, clean, seed
):
    cache = _copy(clean, tmp_path)
    random_bytes(cache, seed)
    result = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r")
    assert "Traceback" not in result.stderr and "ExceptionGroup" not in result.stderr
    if result.returncode == 2:
        assert result.stderr.strip().count("\n") == 0 and str(cache) in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert _accepted(tmp_path / "r") == clean["accepted"]


def test_cache_stats_and_verify_on_a_real_cache(tmp_path, clean):
    cache = _copy(clean, tmp_path)
    stats = cli("cache", "stats", "--path", str(cache))
    assert stats.returncode == 0 and f"{clean['calls']:,}" in stats.stdout
    assert "openai/judge" in stats.stdout and "blake2b" in stats.stdout
    edited = edit_in_place(cache)
    verify = cli("cache", "verify", "--path", str(cache))
    assert verify.returncode == 1 and f"{edited:,} failed their digest" in verify.stdout
    assert cli("cache", "verify", "--fix", "--path", str(cache)).returncode == 0
    assert cli("cache", "verify", "--path", str(cache)).returncode == 0
    left = sqlite3.connect(cache).execute("SELECT COUNT(*) FROM replies").fetchone()[0]
    assert left == clean["calls"] - edited


def _stopped_then_resumed(tmp_path, sim_server, clean, monkeypatch, capsys, trouble):
    """Run through `workbench run` (in this process, so the cache's SQLite connection can be
    given a fault), expect a clean `cache_error` stop, then resume without the fault."""
    from workbench.cli import main

    cache = tmp_path / "calls.sqlite"
    config = _config(tmp_path, sim_server.api_base, cache)
    out = tmp_path / "r"
    before = sim_server.stats()["requests"]
    with monkeypatch.context() as patch:
        release = trouble(patch, cache)
        code = main(["run", "--config", config, "--no-probe", "--quiet", "--out", str(out)])
    if release is not None:
        release()
    err = capsys.readouterr().err
    assert code == 3, err
    assert "Traceback" not in err and "ExceptionGroup" not in err
    stops = [line for line in err.splitlines() if line.startswith("workbench: stopped")]
    assert len(stops) == 1 and "(cache_error)" in stops[0] and str(cache) in stops[0]
    assert f"resume with: workbench run --resume {out}" in err
    summary = _summary(out)
    assert summary["status"] == "cache_error" and str(cache) in summary["stop_reason"]
    asked = sim_server.stats()["requests"] - before
    calls = [json.loads(line) for line in (out / "calls.jsonl").read_text().splitlines()]
    paid = [c for c in calls if not c["cached"] and c["error"] is None]
    assert 0 < asked == len(paid), "every paid reply is recorded in calls.jsonl"
    assert asked < clean["calls"], "the run stopped before the end"
    code = main(["run", "--resume", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert _accepted(out) == clean["accepted"]
    assert sim_server.stats()["requests"] - before == clean["calls"], "no request was repeated"
    return stops[0]


def test_a_full_disk_under_the_cache_stops_cleanly_and_loses_no_paid_reply(
    tmp_path, sim_server, clean, monkeypatch, capsys
):
    from workbench.model.cache import _store

    def full_after_a_while(patch, cache):
        real = _store.connect

        def small(path, timeout_s):
            db = real(path, timeout_s)
            db.execute("PRAGMA max_page_count = 60")  # SQLite's own SQLITE_FULL, mid-run
            return db

        patch.setattr(_store, "connect", small)

    line = _stopped_then_resumed(
        tmp_path, sim_server, clean, monkeypatch, capsys, full_after_a_while
    )
    assert "no space left for the call cache" in line and "--no-cache" in line


def test_a_cache_locked_by_another_process_mid_run_stops_cleanly(
    tmp_path, sim_server, clean, monkeypatch, capsys
):
    from workbench.model.cache import CallCache, _store

    def locked_for_writes(patch, cache):
        CallCache(cache).close()  # a WAL file: reads go on while another process writes
        holder = sqlite3.connect(cache, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        patch.setattr(_store, "BUSY_TIMEOUT_S", 0.3)
        return holder.close

    line = _stopped_then_resumed(
        tmp_path, sim_server, clean, monkeypatch, capsys, locked_for_writes
    )
    assert "locked by another process" in line


def test_a_cache_locked_at_start_is_one_line_and_exit_2(tmp_path, sim_server, monkeypatch, capsys):
    from workbench.cli import main
    from workbench.model.cache import _store

    cache = tmp_path / "calls.sqlite"
    holder = sqlite3.connect(cache, isolation_level=None)  # rollback journal: readers wait too
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO other VALUES (1)")
    monkeypatch.setattr(_store, "BUSY_TIMEOUT_S", 0.3)
    before = sim_server.stats()["requests"]
    config = _config(tmp_path, sim_server.api_base, cache)
    code = main(["run", "--config", config, "--no-probe", "--quiet", "--out", str(tmp_path / "r")])
    holder.close()
    err = capsys.readouterr().err
    assert code == 2 and err.strip().count("\n") == 0, err
    assert "locked by another process" in err and str(cache) in err
    assert sim_server.stats()["requests"] == before and not (tmp_path / "r").exists()


def test_a_cache_from_before_digests_is_migrated_and_its_entries_are_misses(
    tmp_path, sim_server, clean
):
    cache = _copy(clean, tmp_path)
    with sqlite3.connect(cache) as db:
        db.execute("ALTER TABLE replies DROP COLUMN digest")  # the file an older workbench wrote
    before = sim_server.stats()["requests"]
    result = _run(_config(tmp_path, sim_server.api_base, cache), tmp_path / "r")
    assert result.returncode == 0, result.stderr
    assert _accepted(tmp_path / "r") == clean["accepted"]
    assert sim_server.stats()["requests"] - before == clean["calls"], "none was served unproven"
    warning = [line for line in result.stderr.splitlines() if "before entries carried" in line]
    assert len(warning) == 1 and "--adopt-legacy" in warning[0]
    assert cli("cache", "verify", "--path", str(cache)).returncode == 0, "all replaced"
