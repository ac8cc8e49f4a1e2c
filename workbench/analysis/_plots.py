"""Plotly figures over the DataFrames of `workbench.analysis`. Each returns a `go.Figure`."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.analysis._tables import PUBLISHED_ROUNDS_PER_ACCEPTED, rounds_to_accept, scores_long
from workbench.config import Thresholds

DECISION_COLORS = {
    "accepted": "#2ca02c",
    "too_easy": "#1f77b4",
    "failed_on_strong": "#d62728",
    "failed_quality": "#9467bd",
    "not_significant": "#ff7f0e",
    "error": "#7f7f7f",
    "strong_not_run": "#bcbd22",
}
SIDE_COLORS = {"weak": "#1f77b4", "strong": "#d62728"}
BINS = dict(start=0, end=1.0001, size=0.05)


def _layout(fig: go.Figure, title: str, **kw) -> go.Figure:
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=kw.pop("height", 380),
        margin=dict(l=50, r=20, t=50, b=45),
        legend=dict(orientation="h", y=-0.2),
        **kw,
    )
    return fig


def score_distributions(rounds: pd.DataFrame) -> go.Figure:
    """Per-rollout weak and strong scores, overlaid."""
    long = scores_long(rounds)
    fig = go.Figure()
    for side in ("weak", "strong"):
        scores = long.loc[long["side"] == side, "score"]
        fig.add_trace(
            go.Histogram(
                x=scores,
                name=f"{side} ({len(scores)} rollouts)",
                xbins=BINS,
                marker_color=SIDE_COLORS[side],
                opacity=0.6,
            )
        )
    fig.update_layout(barmode="overlay")
    return _layout(
        fig, "Score distributions (per rollout)", xaxis_title="score", yaxis_title="rollouts"
    )


def gap_histogram(rounds: pd.DataFrame, thresholds: Thresholds) -> go.Figure:
    """strong_mean − weak_mean per round where both sides ran, with the threshold lines."""
    gaps = rounds["gap"].dropna()
    fig = go.Figure(
        go.Histogram(
            x=gaps,
            name=f"gap ({len(gaps)} rounds)",
            xbins=dict(start=-1, end=1.0001, size=0.05),
            marker_color="#555",
        )
    )
    if thresholds.min_gap is not None:
        fig.add_vline(
            x=thresholds.min_gap,
            line_dash="dash",
            line_color="#2ca02c",
            annotation_text=f"min_gap {thresholds.min_gap:.2f}",
        )
    if thresholds.weak_max is not None and thresholds.strong_min is not None:
        implied = thresholds.strong_min - thresholds.weak_max
        fig.add_vline(
            x=implied,
            line_dash="dot",
            line_color="#d62728",
            annotation_text=f"strong_min − weak_max {implied:.2f}",
            annotation_position="bottom right",
        )
    return _layout(
        fig, "Gap per round (strong mean − weak mean)", xaxis_title="gap", yaxis_title="rounds"
    )


def weak_vs_strong(
    rounds: pd.DataFrame, thresholds: Thresholds, decision_column: str = "decision"
) -> go.Figure:
    """Weak mean against strong mean per round, coloured by decision, with the threshold lines."""
    fig = go.Figure()
    both = rounds.dropna(subset=["weak_mean"])
    for decision, group in both.groupby(decision_column, sort=False):
        strong = group["strong_mean"].astype(float)
        fig.add_trace(
            go.Scatter(
                x=group["weak_mean"],
                y=strong.fillna(-0.05),
                mode="markers",
                name=f"{decision} ({len(group)})",
                marker=dict(color=DECISION_COLORS.get(decision, "#333"), size=8, opacity=0.75),
                text=group["doc_id"] + " r" + group["round"].astype(str),
                hovertemplate="%{text}<br>weak %{x:.2f}<br>strong %{y:.2f}<extra></extra>",
            )
        )
    add_threshold_lines(fig, thresholds)
    fig.update_xaxes(range=[-0.05, 1.05])
    fig.update_yaxes(range=[-0.1, 1.05])
    return _layout(
        fig,
        "Weak vs strong mean per round (strong not run: plotted at −0.05)",
        xaxis_title="weak mean",
        yaxis_title="strong mean",
        height=440,
    )


def add_threshold_lines(fig: go.Figure, t: Thresholds) -> None:
    if t.weak_max is not None:
        fig.add_vline(
            x=t.weak_max, line_dash="dash", line_color="#1f77b4", annotation_text="weak_max"
        )
    if t.strong_min is not None:
        fig.add_hline(
            y=t.strong_min, line_dash="dash", line_color="#d62728", annotation_text="strong_min"
        )
    if t.strong_max is not None:
        fig.add_hline(
            y=t.strong_max, line_dash="dot", line_color="#d62728", annotation_text="strong_max"
        )


def rounds_to_acceptance(rounds: pd.DataFrame, max_rounds: int = 10) -> go.Figure:
    """Rounds each accepted document needed, with the mean and the published 6.59 marked."""
    rta = rounds_to_accept(rounds)
    fig = go.Figure(
        go.Histogram(
            x=rta,
            xbins=dict(start=0.5, end=max_rounds + 0.5, size=1),
            name=f"documents ({len(rta)})",
            marker_color="#2ca02c",
        )
    )
    if len(rta):
        fig.add_vline(
            x=float(rta.mean()), line_dash="dash", annotation_text=f"mean {rta.mean():.2f}"
        )
    fig.add_vline(
        x=PUBLISHED_ROUNDS_PER_ACCEPTED,
        line_dash="dot",
        line_color="#999",
        annotation_text="published 6.59",
        annotation_position="bottom right",
    )
    return _layout(
        fig, "Rounds to acceptance", xaxis_title="round accepted at", yaxis_title="documents"
    )


def decision_funnel(stages: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Funnel(y=stages["stage"], x=stages["rounds"], textinfo="value+percent initial")
    )
    return _layout(fig, "Decision funnel (rounds surviving each stage)", height=400)


def decisions_bar(counts: pd.Series, title: str = "Decisions") -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=list(counts.index),
            y=list(counts.values),
            text=list(counts.values),
            marker_color=[DECISION_COLORS.get(d, "#333") for d in counts.index],
        )
    )
    return _layout(fig, title, yaxis_title="rounds", showlegend=False)


def cost_per_accepted(table: pd.DataFrame) -> go.Figure:
    """Calls, tokens and cost per accepted example, per run (from `analysis.compare`)."""
    fig = make_subplots(
        rows=1, cols=3, subplot_titles=("calls / accepted", "tokens / accepted", "USD / accepted")
    )
    for col, key in enumerate(
        ("calls_per_accepted", "tokens_per_accepted", "cost_per_accepted"), 1
    ):
        values = table[key]
        fig.add_trace(
            go.Bar(
                x=table["run"],
                y=values,
                name=key,
                text=[_short(v) for v in values],
                showlegend=False,
            ),
            row=1,
            col=col,
        )
    return _layout(fig, "Spend per accepted example (cost blank when prices are unknown)")


def baseline_vs_agentic(kept: Mapping[str, pd.DataFrame]) -> go.Figure:
    """Weak and strong means and the gap of kept examples, run by run side by side."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("weak / strong mean of kept examples", "gap of kept examples"),
    )
    for name, frame in kept.items():
        for side in ("weak", "strong"):
            fig.add_trace(
                go.Box(
                    y=frame.get(f"{side}_mean", pd.Series(dtype=float)),
                    name=f"{name}: {side}",
                    marker_color=SIDE_COLORS[side],
                    boxmean=True,
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Histogram(
                x=frame.get("gap", pd.Series(dtype=float)),
                name=f"{name}: gap",
                opacity=0.6,
                xbins=dict(start=-1, end=1.0001, size=0.1),
            ),
            row=1,
            col=2,
        )
    fig.update_layout(barmode="overlay")
    return _layout(fig, "Baseline vs agentic", height=420)


def variant_comparison(table: pd.DataFrame) -> go.Figure:
    """Prompt variants side by side: acceptance rate, mean rounds, weak and strong means."""
    keys = ("acceptance_rate", "mean_rounds_to_accept", "kept_weak_mean", "kept_strong_mean")
    fig = make_subplots(rows=1, cols=4, subplot_titles=keys)
    for col, key in enumerate(keys, 1):
        fig.add_trace(
            go.Bar(
                x=table["run"], y=table[key], text=[_short(v) for v in table[key]], showlegend=False
            ),
            row=1,
            col=col,
        )
    return _layout(fig, "Prompt variants", height=360)


def _short(v) -> str:
    if v is None or pd.isna(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def evolution(population: pd.DataFrame) -> go.Figure:
    """Held-out pass rate of every evaluated variant by generation; the best so far as a line."""
    fig = go.Figure()
    for joined, group in population.groupby("joined", sort=False):
        fig.add_trace(
            go.Scatter(
                x=group["generation"],
                y=group["pass_rate"],
                mode="markers+text",
                text=group["id"],
                textposition="top center",
                name="joined the population" if joined else "rejected (no better than parent)",
                marker=dict(
                    size=11,
                    color="#2ca02c" if joined else "#d62728",
                    symbol="circle" if joined else "x",
                ),
            )
        )
    ordered = population.sort_values("generation")
    best = ordered["pass_rate"].where(ordered["joined"]).cummax().ffill()
    fig.add_trace(
        go.Scatter(
            x=ordered["generation"],
            y=best,
            mode="lines",
            line_shape="hv",
            name="best so far",
            line=dict(color="#333", dash="dash"),
        )
    )
    fig.update_yaxes(range=[-0.05, 1.05])
    return _layout(
        fig,
        "Prompt evolution: held-out pass rate",
        xaxis_title="generation",
        yaxis_title="pass rate",
    )
