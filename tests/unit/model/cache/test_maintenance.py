"""`workbench cache stats|verify|prune`: counts, removing bad entries, rebuilding a damaged file,
pruning by age, and one-line errors for a bad path or duration."""

import sqlite3
import time

import pytest

from tests.unit.model.cache.helpers import (
    edit_in_place,
    filled,
    junk_in_the_middle,
    legacy,
    not_sqlite,
)
from workbench.cli import main
from workbench.model.cache import CallCache, prune, stats, verify


def _count(path) -> int:
    return sqlite3.connect(path).execute("SELECT COUNT(*) FROM replies").fetchone()[0]


def test_stats_counts_entries_by_model_and_age(tmp_path):
    filled(tmp_path / "c.sqlite", 30)
    s = stats(tmp_path / "c.sqlite")
    assert s.entries == 30 and s.by_model == {"openai/m0": 10, "openai/m1": 10, "openai/m2": 10}
    assert s.size_bytes > 0 and s.oldest <= s.newest <= time.time() and s.unverified == 0


def test_verify_finds_edited_entries_and_fix_removes_only_those(tmp_path):
    path = tmp_path / "c.sqlite"
    served = filled(path, 40)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE replies SET reply = replace(reply, 'true', '0') WHERE rowid <= 7")
    v = verify(path)
    assert (v.entries, v.intact, v.mismatched, v.problems, v.bad) == (40, 33, 7, [], 7)
    assert _count(path) == 40, "verify without --fix changes nothing"
    fixed = verify(path, fix=True)
    assert fixed.removed == 7 and fixed.bad == 0 and _count(path) == 33
    cache = CallCache(path)
    assert sum(cache.get(k) == r for k, r in served.items()) == 33


def test_legacy_entries_are_removed_by_fix_or_adopted_on_request(tmp_path):
    keys = legacy(tmp_path / "a.sqlite")
    assert verify(tmp_path / "a.sqlite").bad == len(keys)
    assert verify(tmp_path / "a.sqlite", fix=True).removed == len(keys)
    assert _count(tmp_path / "a.sqlite") == 0
    keys = legacy(tmp_path / "b.sqlite")
    adopted = verify(tmp_path / "b.sqlite", fix=True, adopt_legacy=True)
    assert adopted.adopted == len(keys) and adopted.bad == 0
    assert CallCache(tmp_path / "b.sqlite").get(keys[0])["text"] == "x"


def test_fix_rebuilds_a_damaged_file_from_its_intact_entries(tmp_path):
    path = tmp_path / "c.sqlite"
    served = filled(path, 400)
    junk_in_the_middle(path)
    assert verify(path).bad > 0
    fixed = verify(path, fix=True)
    assert fixed.rebuilt is not None and fixed.rebuilt.exists() and fixed.bad == 0
    cache = CallCache(path)  # opens and passes quick_check again
    kept = [k for k, r in served.items() if cache.get(k) == r]
    assert 0 < len(kept) < len(served) and len(cache) == len(kept)
    assert verify(path).bad == 0


def test_fix_moves_a_file_that_is_not_a_database_aside(tmp_path):
    path = tmp_path / "c.sqlite"
    not_sqlite(path)
    assert verify(path).bad == 1
    fixed = verify(path, fix=True)
    assert not path.exists() and fixed.rebuilt.read_text().startswith("this is a text file")


def test_prune_removes_entries_older_than_the_duration(tmp_path):
    path = tmp_path / "c.sqlite"
    filled(path, 20)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE replies SET created = created - 40 * 86400 WHERE rowid <= 5")
    removed, before, after = prune(path, 30 * 86400)
    assert removed == 5 and _count(path) == 15 and after <= before
    assert verify(path).bad == 0, "pruning leaves every other entry intact"


def test_cli_stats_verify_prune(tmp_path, capsys):
    path = tmp_path / "c.sqlite"
    filled(path, 12)
    assert main(["cache", "stats", "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert "entries       12" in out and "openai/m0 4" in out
    edited = edit_in_place(path)
    assert main(["cache", "verify", "--path", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{edited} failed their digest" in out and "--fix" in out
    assert main(["cache", "verify", "--fix", "--path", str(path)]) == 0
    assert main(["cache", "prune", "--older-than", "12h", "--path", str(path)]) == 0
    assert "removed 0 entries older than 12h" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, says",
    [
        (["cache", "stats", "--path", "{tmp}/nothing.sqlite"], "no call cache at"),
        (["cache", "verify", "--path", "{tmp}"], "is a directory"),
        (["cache", "stats", "--path", "{tmp}/text.sqlite"], "is damaged"),
    ],
)
def test_cli_bad_path_is_one_line_and_exit_2(tmp_path, capsys, argv, says):
    not_sqlite(tmp_path / "text.sqlite")
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert says in err and err.strip().count("\n") == 0
    assert not (tmp_path / "nothing.sqlite").exists(), "maintenance never creates a cache"


@pytest.mark.parametrize("value", ["30", "1x", "d", "-2d", "0h", ""])
def test_cli_bad_duration_is_one_line_and_exit_2(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["cache", "prune", "--older-than", value, "--path", str(tmp_path / "c.sqlite")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "--older-than" in err and err.strip().count("\n") == 0


def test_durations():
    from workbench.cli._cache import duration

    assert [duration(t) for t in ("45s", "90m", "12h", "30d", "2w", "1.5d")] == [
        45,
        5400,
        43200,
        2592000,
        1209600,
        129600,
    ]
