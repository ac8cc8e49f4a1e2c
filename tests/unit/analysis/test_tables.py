import pandas as pd
import pytest

from workbench import analysis
from workbench.config import thresholds


@pytest.fixture(scope="module")
def rounds(default_run):
    return default_run.rounds


def test_redecide_with_the_stored_thresholds_changes_nothing(default_run, rounds):
    decided = analysis.redecide(rounds, default_run.config.thresholds())
    assert analysis.flips(decided).empty
    assert (decided["decision"] == "accepted").sum() == default_run.summary["accepted"]


def test_stricter_thresholds_accept_fewer(rounds):
    strict = analysis.redecide(rounds, thresholds("seed", weak_max=0.1))
    assert (strict["decision"] == "accepted").sum() < (rounds["decision"] == "accepted").sum()
    assert set(analysis.flips(strict)["decision"]) == {"too_easy"}


def test_looser_weak_threshold_exposes_rounds_without_strong_answers(rounds):
    loose = analysis.redecide(rounds, thresholds("seed", weak_max=0.7, strong_min=0.75))
    assert (loose["decision"] == "strong_not_run").sum() > 0


def test_rollout_subsample_uses_the_first_k(rounds):
    one = analysis.redecide(rounds, thresholds("seed", alpha=None), rollouts=1)
    row = rounds.dropna(subset=["strong_scores"]).iloc[0]
    got = one[(one.doc_id == row.doc_id) & (one["round"] == row["round"])].iloc[0]
    assert got.weak_mean == row.weak_scores[0] and got.strong_mean == row.strong_scores[0]


def test_quality_failures_and_errors_keep_their_decision(rounds):
    decided = analysis.redecide(rounds, thresholds("autodata"))
    kept = rounds["decision"].isin(["failed_quality", "error"])
    assert (decided.loc[kept, "decision"].values == rounds.loc[kept, "decision"].values).all()


def test_decision_counts_cover_every_kind(rounds, default_run):
    counts = analysis.decision_counts(rounds)
    assert counts.to_dict() == default_run.summary["decisions"]


def test_rounds_to_accept_and_funnel(rounds, default_run):
    rta = analysis.rounds_to_accept(rounds)
    assert len(rta) == default_run.summary["documents_accepted"]
    assert rta.mean() == pytest.approx(default_run.summary["mean_rounds_to_accept"], abs=1e-3)
    stages = analysis.funnel(rounds)["rounds"].tolist()
    assert stages[0] == len(rounds) and stages[-1] == default_run.summary["accepted"]
    assert stages == sorted(stages, reverse=True)


def test_scores_long(rounds):
    long = analysis.scores_long(rounds)
    assert len(long[long.side == "weak"]) == sum(len(s) for s in rounds["weak_scores"].dropna())


def test_compare_and_efficiency(default_run):
    table = analysis.compare({"a": default_run})
    row = table.iloc[0]
    assert (
        row.kept == row.accepted == default_run.summary["accepted"] == default_run.summary["kept"]
    )
    assert row.calls_per_accepted == pytest.approx(
        default_run.summary["calls"] / default_run.summary["accepted"]
    )
    assert row.cost_per_accepted is None  # the simulator has no prices
    assert analysis.efficiency(pd.DataFrame(), 0)["calls_per_accepted"] is None
