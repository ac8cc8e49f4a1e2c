"""A write that fails (a full disk) leaves whole lines, no temp file and no half-made run
directory, and says so in one line."""

from __future__ import annotations

import errno
import json
import os

import pytest

from tests.support import DOCS
from workbench.config import RunConfig
from workbench.errors import RunDirError, StopRun
from workbench.inputs import load_documents
from workbench.records import Appender, RunWriter, Tally, WriteFailed, write_json_atomic
from workbench.records._jsonl import resume_hint
from workbench.roles import load_prompts


@pytest.fixture
def disk(monkeypatch):
    """os.write with `room` bytes left: the write that crosses it is short, then ENOSPC."""
    real = os.write
    state = {"room": None}

    def write(fd, data):
        if state["room"] is None:
            return real(fd, data)
        if state["room"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real(fd, bytes(data[: state["room"]]))
        state["room"] -= n
        return n

    monkeypatch.setattr(os, "write", write)
    return state


def test_a_line_that_does_not_fit_is_cut_back_and_later_ones_refused(tmp_path, disk):
    path = tmp_path / "rounds.jsonl"
    a = Appender(path, hint=resume_hint(tmp_path))  # as the run writer makes them
    a.append({"n": 1})
    disk["room"] = 10  # part of the next line fits
    with pytest.raises(WriteFailed) as caught:
        a.append({"n": 2, "text": "x" * 100})
    assert isinstance(caught.value, StopRun) and caught.value.status == "io_error"
    assert str(caught.value) == (
        f"no space left on device writing {path}; "
        f"free space and resume with: workbench run --resume {tmp_path}"
    )
    assert path.read_text() == '{"n":1}\n'  # the partial line is gone
    disk["room"] = None  # space again: still nothing after a failed line
    with pytest.raises(WriteFailed):
        a.append({"n": 3})
    a.close()
    assert path.read_text() == '{"n":1}\n'


def test_an_atomic_json_write_that_fails_leaves_the_old_file_and_no_temp(tmp_path, disk):
    path = tmp_path / "summary.json"
    write_json_atomic(path, {"a": 1})
    disk["room"] = 0
    with pytest.raises(WriteFailed, match="no space left on device writing .*summary.json; free"):
        write_json_atomic(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def _create(run_dir):
    cfg = RunConfig()
    docs = load_documents([DOCS / "preamble.txt"], 400_000)
    meta = {"count": 1, "fingerprint": "f", "sources": None}
    return RunWriter.create(run_dir, cfg, load_prompts(), meta, [], Tally(documents=1), docs)


def test_a_run_directory_is_made_whole_or_not_at_all(tmp_path, disk):
    run_dir = tmp_path / "runs" / "r"
    disk["room"] = 200  # config.json does not fit
    with pytest.raises(WriteFailed) as caught:
        _create(run_dir)
    assert str(caught.value).startswith(
        f"no space left on device writing {run_dir / 'config.json'}"
    )
    assert "\n" not in str(caught.value)
    assert list((tmp_path / "runs").iterdir()) == []  # neither RUN_DIR nor a half-made temp
    disk["room"] = None
    writer = _create(run_dir)  # the same --out works once there is space
    try:
        assert {"config.json", "documents.json", "prompts"} <= {p.name for p in run_dir.iterdir()}
        assert writer.lock is not None
        with pytest.raises(RunDirError, match="in use by another workbench run"):
            from workbench.records import RunLock

            RunLock(run_dir)  # the lock taken on the temporary directory moved with it
    finally:
        writer.close()
        writer.lock.release()
    with pytest.raises(RunDirError, match="already exists and is not empty"):
        _create(run_dir)


def test_an_empty_existing_directory_can_be_the_run_directory(tmp_path):
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    writer = _create(run_dir)
    writer.close()
    writer.lock.release()
    assert (run_dir / "config.json").is_file()


def test_what_a_killed_creation_left_is_removed_by_the_next(tmp_path):
    stale = tmp_path / ".r.abc123.creating"
    (stale / "prompts").mkdir(parents=True)
    writer = _create(tmp_path / "r")
    writer.close()
    writer.lock.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
