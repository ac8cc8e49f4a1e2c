"""Run records are typed and versioned: today's runs validate, 0.1 runs still read, and any
line that is not a record of its file is a one-line error naming the file and line."""

from __future__ import annotations

import json
import shutil

import pytest

import workbench
from tests.support import DOCS, FIXTURES, cli
from workbench.errors import RunDirError
from workbench.records import FORMAT_VERSION, Rollout, RoundRecord, upgrade

V0 = FIXTURES / "runs"


@pytest.mark.parametrize("name", ["v0-agentic", "v0-baseline"])
def test_a_run_made_by_release_0_1_loads_with_todays_names(name):
    run = workbench.load_run(V0 / name)
    rounds = run.typed("rounds")
    assert rounds and all(isinstance(r, RoundRecord) for r in rounds)
    assert all(r.format_version == FORMAT_VERSION for r in rounds)
    solved = [r for r in rounds if r.weak_scores]
    assert solved and all(isinstance(a, Rollout) for r in solved for a in r.weak_rollouts)
    assert [a.score for a in solved[0].weak_rollouts] == solved[0].weak_scores
    calls = run.records("calls")
    assert {"rollout", "attempt"} <= set(calls[0]) and "try" not in calls[0]
    assert all(c["attempt"] >= 1 for c in calls)
    assert len(run.accepted) == len(run.records("accepted")) > 0
    assert run.summary["rounds"] == len(rounds)
    assert {"weak_mean", "strong_mean", "decision"} <= set(run.rounds.columns)


def test_report_reads_a_0_1_run():
    result = cli("report", str(V0 / "v0-agentic"))
    assert result.returncode == 0, result.stderr
    assert "accepted" in result.stdout


def test_a_0_1_run_resumes_and_its_old_lines_still_read(tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(V0 / "v0-agentic", run_dir)
    (run_dir / "summary.json").unlink()
    # drop the last document's final rounds so the resume has work to do
    lines = (run_dir / "rounds.jsonl").read_text().splitlines(keepends=True)
    (run_dir / "rounds.jsonl").write_text("".join(lines[:-2]))
    docs = [DOCS / f"{n}.txt" for n in ("article-i", "article-v", "preamble")]
    run = workbench.run(docs, resume=run_dir)
    versions = {r.format_version for r in run.typed("rounds")}
    assert versions == {FORMAT_VERSION}  # upgraded on read, whatever line wrote them
    raw = [json.loads(x) for x in (run_dir / "rounds.jsonl").read_text().splitlines()]
    assert "format_version" not in raw[0] and raw[-1]["format_version"] == FORMAT_VERSION
    assert run.summary["status"] == "complete"


def test_todays_records_carry_the_format_version(default_run):
    for name in ("calls", "rounds", "accepted"):
        first = json.loads((default_run.dir / f"{name}.jsonl").read_text().splitlines()[0])
        assert first["format_version"] == FORMAT_VERSION
    summary = json.loads((default_run.dir / "summary.json").read_text())
    header = json.loads((default_run.dir / "config.json").read_text())
    assert summary["format_version"] == header["format_version"] == FORMAT_VERSION


def test_format_0_call_fields_are_renamed():
    old = {"role": "weak", "attempt": 2, "try": 3}
    assert upgrade("calls", old) == {
        "role": "weak",
        "rollout": 2,
        "attempt": 3,
        "format_version": 1,
    }
    assert upgrade("rounds", {"weak_attempts": [], "strong_attempts": []}) == {
        "weak_rollouts": [],
        "strong_rollouts": [],
        "format_version": 1,
    }


BAD_LINES = {
    "a number": ("42", "not a record"),
    "unknown decision": (None, "decision"),
    "a newer format": (None, "record format 99"),
    "NaN score": (None, "weak_mean"),
    "not JSON": ("{oops", "corrupt record"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_round_line_is_one_line_naming_file_and_line(tmp_path, default_run, case):
    run_dir = tmp_path / "run"
    shutil.copytree(default_run.dir, run_dir)
    path = run_dir / "rounds.jsonl"
    lines = path.read_text().splitlines()
    line, expected = BAD_LINES[case]
    if line is None:
        record = json.loads(lines[1])
        if case == "unknown decision":
            record["decision"] = "maybe"
        elif case == "a newer format":
            record["format_version"] = 99
        else:
            record["weak_mean"] = float("nan")
        line = json.dumps(record)
    lines[1] = line
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RunDirError, match=f"rounds.jsonl:2: .*{expected}") as err:
        workbench.load_run(run_dir).typed("rounds")
    assert "\n" not in str(err.value)
    result = cli("report", str(run_dir))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "rounds.jsonl:2" in result.stderr and result.stderr.count("\n") == 1


def test_a_round_that_breaks_its_type_is_refused_on_write(tmp_path):
    from workbench.records import RunWriter, Tally

    writer = RunWriter(tmp_path, Tally())
    record = RoundRecord(
        doc_id="d",
        round=1,
        mode="agentic",
        task=None,
        quality=None,
        weak_scores=None,
        strong_scores=None,
        weak_mean=None,
        strong_mean=None,
        gap=None,
        p_value=None,
        decision="error",
        reason="r",
        feedback="f",
        ts=0.0,
    )
    with pytest.raises(ValueError):
        writer.round(record.model_copy(update={"decision": "maybe"}))
    with pytest.raises(ValueError):
        writer.call({"role": "weak"})
    writer.close()
    assert (tmp_path / "rounds.jsonl").read_text() == ""


def test_calls_and_summaries_without_reasoning_tokens_still_read():
    """`reasoning_tokens` came after FORMAT_VERSION 1: version-1 lines without it read as None
    (calls) and 0 (summaries), and the 0.1 runs' calls too."""
    from workbench.records import CallRecord, Summary, Tally, format_summary

    run = workbench.load_run(V0 / "v0-agentic")
    assert all(c.reasoning_tokens is None for c in run.typed("calls"))
    line = run.records("calls")[0]
    line.pop("reasoning_tokens", None)
    assert CallRecord.model_validate(line).reasoning_tokens is None
    tally = Tally()
    tally.add_call({**line, "completion_tokens": 50, "reasoning_tokens": 30})
    summary = tally.summary()
    assert summary["reasoning_tokens"] == 30
    assert "of which 30 reasoning" in format_summary({**summary, "status": "complete"})
    old = {k: v for k, v in summary.items() if k != "reasoning_tokens"}
    assert Summary.model_validate(old).reasoning_tokens == 0
    assert "reasoning" not in format_summary({**old, "status": "complete"})
