"""Figures: traces and counts match the data they are drawn from."""

import pytest

from workbench import analysis
from workbench.config import thresholds


@pytest.fixture(scope="module")
def rounds(default_run):
    return default_run.rounds


def test_score_distributions(rounds):
    fig = analysis.score_distributions(rounds)
    long = analysis.scores_long(rounds)
    assert [t.name.split(" ")[0] for t in fig.data] == ["weak", "strong"]
    assert len(fig.data[0].x) == (long.side == "weak").sum()
    assert len(fig.data[1].x) == (long.side == "strong").sum()


def test_gap_histogram_has_threshold_lines(rounds):
    fig = analysis.gap_histogram(rounds, thresholds("autodata"))
    assert len(fig.data[0].x) == rounds["gap"].notna().sum()
    xs = sorted(round(s.x0, 2) for s in fig.layout.shapes)
    assert xs == [-0.05, 0.2]  # strong_min - weak_max, and min_gap


def test_weak_vs_strong_counts_per_decision(rounds):
    fig = analysis.weak_vs_strong(rounds, thresholds("seed"))
    counts = rounds.dropna(subset=["weak_mean"])["decision"].value_counts()
    for trace in fig.data:
        decision, n = trace.name.split(" (")
        assert len(trace.x) == counts[decision] == int(n.rstrip(")"))
    assert {round(s.x0, 2) for s in fig.layout.shapes if s.x0 == s.x1} == {0.3}
    assert {round(s.y0, 2) for s in fig.layout.shapes if s.y0 == s.y1} == {0.8}


def test_rounds_to_acceptance_marks_mean_and_published(rounds):
    fig = analysis.rounds_to_acceptance(rounds)
    rta = analysis.rounds_to_accept(rounds)
    assert sorted(fig.data[0].x) == sorted(rta)
    assert {round(s.x0, 2) for s in fig.layout.shapes} == {round(rta.mean(), 2), 6.59}


def test_funnel_and_bars(rounds):
    stages = analysis.funnel(rounds)
    assert list(analysis.decision_funnel(stages).data[0].x) == stages["rounds"].tolist()
    counts = analysis.decision_counts(rounds)
    assert list(analysis.decisions_bar(counts).data[0].y) == counts.tolist()


def test_cost_baseline_and_variants(default_run):
    table = analysis.compare({"run": default_run})
    fig = analysis.cost_per_accepted(table)
    assert fig.data[0].y[0] == pytest.approx(table.calls_per_accepted[0])
    fig = analysis.baseline_vs_agentic({"agentic": default_run.accepted})
    assert len(fig.data) == 3 and len(fig.data[0].y) == len(default_run.accepted)
    assert len(analysis.variant_comparison(table).data) == 4
