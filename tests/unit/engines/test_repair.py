"""`repair_run` on a copy of a small stored run: damaged lines set aside with their reasons,
derived files rebuilt, backups kept, and a second repair changes nothing."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support import FIXTURES
from workbench.engines import check_run, repair_run, validate_run
from workbench.errors import RunDirError

V0 = FIXTURES / "runs" / "v0-agentic"


@pytest.fixture
def run(tmp_path):
    shutil.copytree(V0, tmp_path / "run")
    return tmp_path / "run"


def files(run):
    return {p.relative_to(run): p.read_bytes() for p in run.rglob("*") if p.is_file()}


def test_damage_is_set_aside_and_the_derived_files_rebuilt(run):
    original = (run / "accepted.jsonl").read_text()
    rounds = (run / "rounds.jsonl").read_text().splitlines()
    ns = next(i for i, x in enumerate(rounds) if json.loads(x)["decision"] == "too_easy")
    rounds[ns] = json.dumps(json.loads(rounds[ns]) | {"decision": "accepted"})
    rounds.append("42")
    rounds.append('{"doc_id": "torn", "rou')  # a write that never finished
    (run / "rounds.jsonl").write_text("\n".join(rounds))
    with open(run / "accepted.jsonl", "a") as f:
        f.write(original.splitlines()[0] + "\n")
    with pytest.raises(RunDirError, match=rf"rounds.jsonl:{ns + 1}: decision 'accepted'"):
        validate_run(run, "report")

    done = repair_run(run)
    assert [n for n, _ in done.set_aside["rounds.jsonl"]] == [ns + 1, len(rounds) - 1, len(rounds)]
    assert "torn last line" in done.set_aside["rounds.jsonl"][-1][1]
    assert [n for n, _ in done.set_aside["accepted.jsonl"]] == [len(original.splitlines()) + 1]
    assert set(done.rewritten) == {"rounds.jsonl", "accepted.jsonl", "summary.json"}
    lines = done.lines()
    assert (
        3 <= len(lines) <= 5
        and lines[-1] == f"redo the rounds set aside with: workbench run --resume {run}"
    )
    rejected = [json.loads(x) for x in (run / "rounds.rejected.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rejected][1:] == ["42", '{"doc_id": "torn", "rou']
    assert (done.backup / "rounds.jsonl").read_text() == "\n".join(rounds)
    assert (run / "accepted.jsonl").read_text() == original  # as it was: the example lines kept
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "repaired" and summary["rounds"] == len(rounds) - 3
    assert check_run(run).all_problems() == []

    before = files(run)
    again = repair_run(run)
    assert again.rewritten == [] and again.lines() == [
        f"{run}: nothing to repair (every record checks out)"
    ]
    assert files(run) == before


def test_a_missing_example_of_an_accepted_round_is_written_back(run):
    lines = (run / "accepted.jsonl").read_text().splitlines()
    (run / "accepted.jsonl").write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(RunDirError, match="is missing"):
        validate_run(run, "export")
    done = repair_run(run)
    assert done.set_aside == {} and "accepted.jsonl" in done.rewritten
    rebuilt = [json.loads(x) for x in (run / "accepted.jsonl").read_text().splitlines()]
    assert sorted(e["id"] for e in rebuilt) == sorted(json.loads(x)["id"] for x in lines)
    assert rebuilt[1:] == [json.loads(x) for x in lines[1:]]  # the others kept as written


def test_an_edited_manifest_is_refused_not_repaired(run, tmp_path):
    (run / "documents.json").write_text('{"documents": [{"id": "ghost", "sha256": "00"}]}')
    with pytest.raises(RunDirError, match="does not match the documents"):
        repair_run(run)


def test_a_run_being_written_may_lack_its_last_example(run):
    from workbench.records import RunLock

    lines = (run / "accepted.jsonl").read_text().splitlines()
    (run / "accepted.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    lock = RunLock(run)  # a run is writing: it may be between a round and its example
    try:
        validate_run(run, "report")
    finally:
        lock.release()
    with pytest.raises(RunDirError, match="is missing"):
        validate_run(run, "report")
