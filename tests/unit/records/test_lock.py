"""One run per run directory at a time; a damaged run directory or cache path is a one-line error."""

import json
import shutil

import pytest

from tests.support import cli
from workbench.errors import RunDirError
from workbench.records import RunLock


def test_a_locked_run_directory_is_refused(tmp_path, default_run):
    run = tmp_path / "run"
    shutil.copytree(default_run.dir, run)
    before = (run / "rounds.jsonl").read_bytes()
    lock = RunLock(run)
    try:
        with pytest.raises(RunDirError, match="in use by another workbench run"):
            RunLock(run)
        result = cli("run", "--resume", str(run))
        assert result.returncode == 2 and "in use by another workbench run" in result.stderr
    finally:
        lock.release()
    assert (run / "rounds.jsonl").read_bytes() == before
    RunLock(run).release()  # free again once released


def _drop_decision(run):
    lines = (run / "rounds.jsonl").read_text().splitlines()
    record = json.loads(lines[3])
    del record["decision"]
    lines[3] = json.dumps(record)
    (run / "rounds.jsonl").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "damage",
    [
        lambda run: (run / "config.json").write_text("{bad"),
        lambda run: (run / "prompts" / "judge.j2").unlink(),
        _drop_decision,
    ],
)
def test_resuming_a_damaged_run_directory_is_one_line(tmp_path, default_run, damage):
    run = tmp_path / "run"
    shutil.copytree(default_run.dir, run)
    damage(run)
    result = cli("run", "--resume", str(run))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "cannot resume" in result.stderr


def test_resume_never_creates_a_directory(tmp_path):
    result = cli("run", "--resume", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "not a run directory" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_an_unusable_cache_path_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "file").write_text("x")
    result = cli(
        "run", "--set", f"cache.path={tmp_path / 'file' / 'c.sqlite'}", "--out", str(tmp_path / "r")
    )
    assert result.returncode == 2 and "cannot open the call cache" in result.stderr
    assert not (tmp_path / "r").exists()
