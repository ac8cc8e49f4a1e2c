"""Figures: traces and counts match the data they are drawn from."""

import pytest

from tests.support import DOCS
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
    both = rounds.dropna(subset=["weak_mean"])
    ran = both[both["strong_mean"].notna()]["decision"].value_counts()
    for trace in fig.data[:-1]:
        decision, n = trace.name.split(" (")
        assert len(trace.x) == ran[decision] == int(n.rstrip(")"))
    assert {round(s.x0, 2) for s in fig.layout.shapes if s.x0 == s.x1} == {0.3}
    assert {round(s.y0, 2) for s in fig.layout.shapes if s.y0 == s.y1} == {0.8}


def test_strong_not_run_is_its_own_marker_not_a_score(rounds):
    """No tooltip says `strong −0.05`: rounds without strong answers are a separate trace."""
    fig = analysis.weak_vs_strong(rounds, thresholds("seed"))
    missing = rounds.dropna(subset=["weak_mean"])["strong_mean"].isna().sum()
    assert missing > 0
    (lone,) = [t for t in fig.data if t.name.startswith("strong not run")]
    assert lone.name == f"strong not run ({missing})" and len(lone.x) == missing
    assert lone.marker.symbol == "x-thin" and set(lone.y) == {-0.05}
    assert "strong not run" in lone.hovertemplate and "%{y" not in lone.hovertemplate
    for trace in fig.data:
        if trace is not lone:
            assert min(trace.y) >= 0 and trace.marker.symbol is None


def test_rounds_without_scores_are_counted_in_the_title(rounds):
    left = rounds[rounds["weak_mean"].isna()]["decision"].value_counts()
    assert left.sum() > 0
    expected = ", ".join(f"{n} {d}" for d, n in left.items())
    for fig in (
        analysis.weak_vs_strong(rounds, thresholds("seed")),
        analysis.score_distributions(rounds),
    ):
        assert f"not shown: {expected}" in fig.layout.title.text
    gaps = analysis.gap_histogram(rounds, thresholds("seed")).layout.title.text
    assert "not shown: " in gaps
    assert (
        sum(int(p.split(" ")[0]) for p in gaps.split("not shown: ")[1].split(" (")[0].split(", "))
        == rounds["gap"].isna().sum()
    )
    full = rounds[rounds["weak_mean"].notna()]
    assert "not shown" not in analysis.weak_vs_strong(full, thresholds("seed")).layout.title.text


def test_count_axes_tick_at_whole_numbers(rounds):
    counts = analysis.decision_counts(rounds)
    figs = [
        analysis.decisions_bar(counts),
        analysis.score_distributions(rounds),
        analysis.gap_histogram(rounds, thresholds("seed")),
        analysis.rounds_to_acceptance(rounds),
    ]
    for fig in figs:
        assert fig.layout.yaxis.tickformat == ",d"
    few = counts.clip(upper=3)
    assert analysis.decisions_bar(few).layout.yaxis.dtick == 1  # small counts: every count
    assert analysis.rounds_to_acceptance(rounds).layout.xaxis.dtick == 1
    many = counts * 50
    assert analysis.decisions_bar(many).layout.yaxis.dtick is None  # plotly picks whole steps


def test_unknown_and_new_decision_kinds_have_colours():
    import pandas as pd

    assert analysis.DECISION_COLORS["too_hard"] not in {
        c for d, c in analysis.DECISION_COLORS.items() if d != "too_hard"
    }
    keys = list(analysis.DECISION_COLORS)
    assert keys.index("too_hard") == keys.index("too_easy") + 1
    counts = pd.Series({"accepted": 2, "too_hard": 1, "from_the_future": 3})
    colours = analysis.decisions_bar(counts).data[0].marker.color
    assert colours == (analysis.DECISION_COLORS["accepted"], "#8c564b", "#c7c7c7")


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
    assert [a.text for a in fig.layout.annotations][:3] == [
        "calls per accepted example",
        "tokens per accepted example",
        "USD per accepted example",
    ]
    fig = analysis.baseline_vs_agentic({"agentic": default_run.accepted})
    assert len(fig.data) == 3 and len(fig.data[0].y) == len(default_run.accepted)
    assert fig.data[0].name == "agentic (accepted examples): weak"
    assert len(analysis.variant_comparison(table).data) == 4


def test_cost_panel_without_prices_says_so(default_run):
    table = analysis.compare({"run": default_run})
    assert table["cost_per_accepted"].isna().all()  # the simulator has no prices
    notes = [a.text for a in analysis.cost_per_accepted(table).layout.annotations]
    assert "no prices known for these models" in notes
    priced = table.assign(cost_per_accepted=[0.01])
    notes = [a.text for a in analysis.cost_per_accepted(priced).layout.annotations]
    assert "no prices known for these models" not in notes


def test_zero_accepted_is_annotated_not_blank(default_run, tmp_path):
    import workbench

    table = analysis.compare({"run": default_run})
    none = table.assign(run=["empty"], calls_per_accepted=[None], kept=[0])
    if "accepted" in none:
        none["accepted"] = 0
    notes = [a.text for a in analysis.cost_per_accepted(none).layout.annotations]
    assert "0 accepted: empty" in notes
    baseline = workbench.run(
        [DOCS / "article-iii.txt"], out=tmp_path / "b", config={"mode": "baseline"}
    )
    fig = analysis.baseline_vs_agentic({"baseline": baseline, "agentic": default_run.accepted[:0]})
    names = [t.name for t in fig.data]
    assert "baseline (kept tasks): weak" in names
    assert "agentic: 0 accepted examples" in [a.text for a in fig.layout.annotations][-1]
    labels = analysis.cost_per_accepted(analysis.compare({"b": baseline})).data[0].x
    assert list(labels) == ["b (baseline)"]


def test_subplot_titles_fit():
    import pandas as pd

    table = pd.DataFrame(
        {
            "run": ["a", "b"],
            "acceptance_rate": [0.5, 0.6],
            "mean_rounds_to_accept": [2.0, 3.0],
            "kept_weak_mean": [0.1, 0.2],
            "kept_strong_mean": [0.9, 0.8],
        }
    )
    fig = analysis.variant_comparison(table)
    titles = [a for a in fig.layout.annotations if a.y == 1.0]
    assert len(titles) == 4 and all(a.font.size == 12 for a in titles)
    assert all(len(a.text) <= 24 for a in titles)  # ~ a quarter of the width at 12 px
    assert fig.layout.margin.t >= 90
    none = table.assign(mean_rounds_to_accept=[None, None])
    notes = [a.text for a in analysis.variant_comparison(none).layout.annotations]
    assert notes.count("no accepted rounds") == 1
