"""Summary totals agree with the records: accepted means, documents done and kept."""

import json
from statistics import fmean

import pytest

import workbench
from workbench.records import Tally, format_summary, history_entry, load_run, recompute_summary


def test_accepted_means_skip_missing_sides_instead_of_counting_zero():
    tally = Tally(documents=1)
    tally.add_round(
        {"decision": "too_easy", "round": 1, "weak_scores": [0.5, 1.0, 0.0], "strong_scores": None},
        kept=True,
    )
    tally.add_round(
        {"decision": "accepted", "round": 2, "weak_scores": [0.0, 0.5], "strong_scores": [1, 1]}
    )
    s = tally.summary()
    # accepted: decisions only; kept: examples written (the too-easy baseline round is kept)
    assert s["accepted"] == 1 and s["kept"] == 1
    assert s["accepted_weak_mean"] == pytest.approx(0.25)
    assert s["accepted_strong_mean"] == 1.0
    assert s["kept_weak_mean"] == pytest.approx(0.5) and s["kept_strong_mean"] is None


def test_history_keeps_the_verdicts_statistics():
    record = {
        "round": 1,
        "decision": "too_easy",
        "task": {"question": "q"},
        "weak_scores": [0.5, 1.0, 0.0],
        "strong_scores": [1.0, 1.0, 0.5],
        "weak_mean": 0.5,
        "strong_mean": 0.833333,
        "gap": 0.333333,
        "p_value": None,
        "decided_after": {"weak": 2, "strong": 0},
    }
    entry = history_entry(record)
    assert entry["weak_mean"] == 0.75 and entry["strong_mean"] is None and entry["gap"] is None


@pytest.mark.slow
def test_baseline_summary_matches_accepted_jsonl(tmp_path):
    run = workbench.run(
        out=tmp_path / "b", config={"mode": "baseline", "cache": {"enabled": False}}
    )
    s = run.summary
    examples = run.records("accepted")
    accepted = [r for r in run.records("rounds") if r["decision"] == "accepted"]
    assert s["kept"] == len(examples) > s["accepted"] == len(accepted)
    assert s["kept_weak_mean"] == pytest.approx(fmean(e["weak_mean"] for e in examples), abs=1e-4)
    assert s["kept_strong_mean"] == pytest.approx(
        fmean(e["strong_mean"] for e in examples), abs=1e-4
    )
    assert s["documents_kept"] == len({e["doc_id"] for e in examples})
    assert s["documents_accepted"] == len({r["doc_id"] for r in accepted})
    for r in run.records("rounds"):
        for side in ("weak", "strong"):
            scores = r[f"{side}_scores"]
            assert r[f"{side}_mean"] == (
                None if not scores else pytest.approx(fmean(scores), abs=1e-6)
            )
    # The same totals from the records alone (what `workbench report` shows for a killed run).
    again = recompute_summary(run.dir, run.header)
    for key in ("documents_done", "documents_accepted", "documents_kept", "accepted", "kept"):
        assert again[key] == s[key], key
    assert again["kept_weak_mean"] == s["kept_weak_mean"]
    text = format_summary(s)
    assert f"{len({e['doc_id'] for e in examples})} with a kept task" in text
    assert "kept      " in text or "kept  " in text
    # And after a resume of a baseline run that was killed with half its rounds written.
    killed = tmp_path / "killed"
    killed.mkdir()
    for name in ("config.json", "prompts"):
        src = run.dir / name
        if src.is_dir():
            (killed / name).mkdir()
            for f in src.iterdir():
                (killed / name / f.name).write_bytes(f.read_bytes())
        else:
            (killed / name).write_bytes(src.read_bytes())
    lines = (run.dir / "rounds.jsonl").read_text().splitlines(keepends=True)
    (killed / "rounds.jsonl").write_text("".join(lines[: len(lines) // 2]))
    resumed = workbench.run(resume=killed)
    for key in ("documents_done", "documents_accepted", "documents_kept", "accepted", "kept"):
        assert resumed.summary[key] == s[key], key


@pytest.mark.slow
def test_report_on_a_killed_run_counts_only_finished_documents(tmp_path):
    run = workbench.run(out=tmp_path / "r", config={"max_rounds": 4, "cache": {"enabled": False}})
    rounds = run.records("rounds")
    # Simulate SIGKILL: keep each document's first round only, and no summary.json.
    first = [r for r in rounds if r["round"] == 1]
    (run.dir / "rounds.jsonl").write_text("".join(json.dumps(r) + "\n" for r in first))
    (run.dir / "summary.json").unlink()
    s = load_run(run.dir).summary
    accepted_at_1 = sum(r["decision"] == "accepted" for r in first)
    assert s["status"] == "incomplete"
    assert s["documents_done"] == accepted_at_1 < len(first)
    assert s["documents_accepted"] == accepted_at_1


def test_as_records_turns_nan_into_none():
    import pandas as pd

    from workbench.analysis import as_records

    frame = pd.DataFrame({"run": ["a", "b"], "mean": [1.5, None], "cost": [None, None]})
    assert as_records(frame) == [
        {"run": "a", "mean": 1.5, "cost": None},
        {"run": "b", "mean": None, "cost": None},
    ]


def test_a_baseline_error_round_with_strong_answers_keeps_no_example():
    from workbench.records import Rollout, RoundRecord, to_example

    answer = Rollout(side="strong", rollout=0, answer="a", met=[1.0], raw_score=1.0, score=1.0)
    task = {"context": "c", "question": "q", "reference_answer": "r", "question_type": "t"}
    record = RoundRecord(
        doc_id="d",
        round=1,
        mode="baseline",
        task={**task, "rubric": [{"criterion": "A", "weight": 1}]},
        quality=None,
        weak_scores=None,
        strong_scores=None,
        weak_mean=None,
        strong_mean=None,
        gap=None,
        p_value=None,
        decision="error",
        reason="strong rollout 2 failed",
        feedback="",
        strong_rollouts=[answer],
        ts=0.0,
    )
    assert to_example(record, "baseline") is None
