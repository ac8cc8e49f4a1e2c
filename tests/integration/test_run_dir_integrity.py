"""Nothing on disk is believed: a forged decision, a round of a document the run never had, a
duplicated example or a line that is not a record refuses resume, report and export in one
line; `workbench repair` sets the damage aside and the run works again, exactly as before."""

from __future__ import annotations

import json
import shutil

import pytest

import workbench
from tests.support import cli

pytestmark = pytest.mark.slow


def strip(records):
    rows = [{k: v for k, v in r.items() if k != "ts"} for r in records]
    return sorted(rows, key=lambda r: (r["doc_id"], r["round"]))


def _lines(path):
    return path.read_text().splitlines()


def forge_decision(run):
    """A not_significant round relabelled accepted (in place, its scores unchanged)."""
    lines = _lines(run / "rounds.jsonl")
    n = next(i for i, line in enumerate(lines) if '"decision":"not_significant"' in line)
    lines[n] = lines[n].replace('"decision":"not_significant"', '"decision":"accepted"')
    (run / "rounds.jsonl").write_text("\n".join(lines) + "\n")
    return "rounds.jsonl", n + 1, "decision 'accepted', but the acceptance rule"


def ghost_doc(run):
    """A round of a document the run never had, with a label that must never reach an export."""
    record = json.loads(_lines(run / "rounds.jsonl")[0])
    record |= {"doc_id": "ghost", "round": 1}
    for rollout in record["strong_rollouts"]:
        rollout["answer"] = "<script>alert(1)</script>"
    with open(run / "rounds.jsonl", "a") as f:
        f.write(json.dumps(record) + "\n")
    return "rounds.jsonl", len(_lines(run / "rounds.jsonl")), "doc_id 'ghost' is not one of"


def duplicate_example(run):
    first = _lines(run / "accepted.jsonl")[0]
    with open(run / "accepted.jsonl", "a") as f:
        f.write(first + "\n")
    return "accepted.jsonl", len(_lines(run / "accepted.jsonl")), "again (first at line 1)"


def forty_two(run):
    with open(run / "rounds.jsonl", "a") as f:
        f.write("42\n")
    return "rounds.jsonl", len(_lines(run / "rounds.jsonl")), "not a record"


@pytest.mark.parametrize("damage", [forge_decision, ghost_doc, duplicate_example, forty_two])
def test_damage_is_refused_in_one_line_and_repair_makes_the_run_whole(
    tmp_path, default_run, damage
):
    run = tmp_path / "run"
    shutil.copytree(default_run.dir, run)
    name, line, what = damage(run)
    where = f"{run / name}:{line}: "
    out = tmp_path / "train.jsonl"
    for verb, args in [
        ("report", ["report", str(run)]),
        ("export", ["export", str(run), "--format", "sft", "--out", str(out), "--dedup", "1"]),
        ("resume", ["run", "--resume", str(run), "--quiet"]),
    ]:
        result = cli(*args)
        assert result.returncode == 2, (verb, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert f"cannot {verb} {run}: {where}" in result.stderr and what in result.stderr
        assert f"workbench repair {run}" in result.stderr
    assert not out.exists()

    before = {p.name for p in run.iterdir()}
    repaired = cli("repair", str(run))
    assert repaired.returncode == 0, repaired.stderr
    assert f"{name}: 1 line set aside" in repaired.stdout and len(repaired.stdout.splitlines()) <= 5
    rejected = [json.loads(x) for x in _lines(run / name.replace(".jsonl", ".rejected.jsonl"))]
    assert [r["line"] for r in rejected] == [line] and what in rejected[0]["reason"]
    (backup,) = [p for p in run.iterdir() if p.name.startswith("repair-backup-")]
    assert (backup / name).is_file()

    again = cli("repair", str(run))  # idempotent: nothing more to do, nothing rewritten
    assert again.returncode == 0 and "nothing to repair" in again.stdout
    assert {p.name for p in run.iterdir()} - before == {backup.name, rejected_name(name)}

    assert cli("report", str(run)).returncode == 0
    exported = cli("export", str(run), "--format", "sft", "--out", str(out), "--dedup", "1")
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(x) for x in _lines(out)]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == len(default_run.records("accepted"))
    assert "<script>" not in out.read_text()

    resumed = cli("run", "--resume", str(run), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    after = workbench.load_run(run)
    assert after.summary["status"] == "complete"
    assert strip(after.records("accepted")) == strip(default_run.records("accepted"))
    assert after.summary["documents_done"] == after.summary["documents"]


def rejected_name(name):
    return name.replace(".jsonl", ".rejected.jsonl")


def test_a_healthy_run_needs_no_repair(tmp_path, default_run):
    run = tmp_path / "run"
    shutil.copytree(default_run.dir, run)
    result = cli("repair", str(run))
    assert result.returncode == 0 and "nothing to repair" in result.stdout
    assert sorted(p.name for p in run.iterdir()) == sorted(
        p.name for p in default_run.dir.iterdir()
    )


def test_an_edited_example_label_is_refused(tmp_path, default_run):
    run = tmp_path / "run"
    shutil.copytree(default_run.dir, run)
    lines = _lines(run / "accepted.jsonl")
    record = json.loads(lines[0])
    record["label"] = "<script>alert(1)</script>"
    lines[0] = json.dumps(record)
    (run / "accepted.jsonl").write_text("\n".join(lines) + "\n")
    result = cli("export", str(run), "--format", "sft", "--out", str(tmp_path / "t.jsonl"))
    assert result.returncode == 2 and "accepted.jsonl:1: " in result.stderr
    assert "differs from its round in label" in result.stderr
