"""Acceptance by question type and by skill tag, over stored runs: one written before skill tags
(every round `(untagged)`) and the default simulator run (tagged)."""

import pytest

import workbench
from tests.support import FIXTURES
from workbench import analysis


def test_a_run_from_before_skill_tags_is_untagged():
    run = workbench.load_run(FIXTURES / "runs" / "v0-agentic")
    rows = run.records("rounds")
    written = [r for r in rows if r["task"]]
    table = analysis.acceptance_by(run.rounds, "skill")
    assert table["skill"].tolist() == ["(untagged)"]
    assert table["rounds"].tolist() == [len(written)]
    assert table["accepted"].tolist() == [sum(r["decision"] == "accepted" for r in rows)]
    types = analysis.acceptance_by(run.rounds, "question_type")
    expected = {}
    for r in written:
        n, a = expected.get(r["task"]["question_type"], (0, 0))
        expected[r["task"]["question_type"]] = (n + 1, a + (r["decision"] == "accepted"))
    assert {
        row["question_type"]: (row["rounds"], row["accepted"]) for row in analysis.as_records(types)
    } == expected
    assert types["rounds"].is_monotonic_decreasing


def test_the_default_run_is_tagged_and_means_are_over_each_tags_rounds(default_run):
    table = analysis.acceptance_by(default_run.rounds, "skill")
    assert "(untagged)" not in set(table["skill"]) and len(table) >= 2
    rounds = default_run.rounds[default_run.rounds["task"].notna()]
    for row in analysis.as_records(table):
        mine = rounds[rounds["skills"].map(lambda s, k=row["skill"]: k in s)]
        assert row["rounds"] == len(mine)
        assert row["weak_mean"] == pytest.approx(mine["weak_mean"].mean())
        strong = mine["strong_mean"].dropna()
        if len(strong):
            assert row["strong_mean"] == pytest.approx(strong.mean())


def test_empty_and_unknown_groupings():
    run = workbench.load_run(FIXTURES / "runs" / "v0-agentic")
    empty = analysis.acceptance_by(run.rounds.iloc[0:0], "question_type")
    assert empty.empty and list(empty.columns)[:3] == ["question_type", "rounds", "accepted"]
    with pytest.raises(ValueError, match="by must be one of question_type, skill"):
        analysis.acceptance_by(run.rounds, "skills")
    fig = analysis.acceptance_chart(analysis.acceptance_by(run.rounds, "question_type"))
    assert fig.layout.title.text.startswith("Acceptance by question type")
