"""Plotly figures over the DataFrames of `workbench.analysis`. Each returns a `go.Figure`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.analysis._tables import PUBLISHED_ROUNDS_PER_ACCEPTED, rounds_to_accept, scores_long
from workbench.config import Thresholds

DECISION_COLORS = {
    "accepted": "#2ca02c",
    "too_easy": "#1f77b4",
    "too_hard": "#8c564b",
    "failed_on_strong": "#d62728",
    "failed_quality": "#9467bd",
    "not_significant": "#ff7f0e",
    "improve": "#17becf",
    "error": "#7f7f7f",
    "strong_not_run": "#bcbd22",
}
"""A colour for every decision kind (`records.DECISIONS`) and the explorer's `strong_not_run`."""
DECISION_MEANINGS = {
    "accepted": "kept: the weak solver fails it and the strong one answers it",
    "too_easy": "the weak solver already does well",
    "too_hard": "a weak answer got nothing at all",
    "failed_on_strong": "the strong solver fell short, or the gap was too small",
    "failed_quality": "the quality verifier rejected the task",
    "not_significant": "the gap between strong and weak was not statistically clear",
    "improve": "the loop judge (or a forced-improve rule) sent the question back",
    "error": "the round could not finish (no usable task, or infrastructure failures)",
    "strong_not_run": "would need strong answers the stored round does not have",
}
"""What each decision kind means, in a line: hover text on charts and badges."""
UNKNOWN_COLOR = "#c7c7c7"
"""A decision kind the charts do not know (a newer record format): light grey."""
SIDE_COLORS = {"weak": "#1f77b4", "strong": "#d62728"}
BINS = dict(start=0, end=1.0001, size=0.05)
STRONG_NOT_RUN_Y = -0.05
"""Where the weak-vs-strong chart puts rounds whose strong solver never ran."""
NO_PRICES = "no prices known for these models"


def decision_color(decision: str) -> str:
    return DECISION_COLORS.get(decision, UNKNOWN_COLOR)


def decision_meaning(decision: str) -> str:
    return DECISION_MEANINGS.get(decision, "a decision kind this version does not know")


def _not_shown(rounds: pd.DataFrame, shown: pd.Series, why: str) -> str:
    """' · not shown: 3 failed_quality, 1 error (no scores)' for the rounds a chart leaves out."""
    left = rounds.loc[~shown, "decision"].value_counts()
    if left.empty:
        return ""
    parts = ", ".join(f"{n} {d}" for d, n in left.items())
    return f"<br><sup>not shown: {parts} ({why})</sup>"


def _count_axis(fig: go.Figure, most: float, axis: str = "y", **where) -> None:
    """A count axis: whole-number ticks (every 1 while counts are small)."""
    settings = dict(tickformat=",d", rangemode="tozero", dtick=1 if most <= 10 else None)
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(**settings, **where)


def _most_per_bin(values: pd.Series, start: float, end: float, size: float) -> int:
    if values.empty:
        return 0
    edges = np.arange(start, end + size, size)
    return int(np.histogram(values.astype(float), bins=edges)[0].max())


def _layout(fig: go.Figure, title: str, **kw) -> go.Figure:
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=kw.pop("height", 380),
        margin=kw.pop("margin", dict(l=50, r=20, t=70, b=45)),
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
    most = max(
        (_most_per_bin(long.loc[long["side"] == s, "score"], 0, 1.0, 0.05) for s in SIDE_COLORS),
        default=0,
    )
    _count_axis(fig, most)
    scored = rounds["weak_scores"].map(lambda v: bool(v is not None and len(v)))
    title = "Score distributions (per rollout)" + _not_shown(rounds, scored, "no scores")
    return _layout(fig, title, xaxis_title="score", yaxis_title="rollouts")


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
    _count_axis(fig, _most_per_bin(gaps, -1, 1.0, 0.05))
    title = "Gap per round (strong mean − weak mean)" + _not_shown(
        rounds, rounds["gap"].notna(), "no gap: a side not run"
    )
    return _layout(fig, title, xaxis_title="gap", yaxis_title="rounds")


def weak_vs_strong(
    rounds: pd.DataFrame, thresholds: Thresholds, decision_column: str = "decision"
) -> go.Figure:
    """Weak mean against strong mean per round, coloured by decision, with the threshold lines.

    Rounds whose strong solver never ran are their own trace ("strong not run"), drawn as
    crosses at the bottom edge; rounds without weak scores (failed quality, errors) are
    counted in the title."""
    fig = go.Figure()
    both = rounds.dropna(subset=["weak_mean"])
    strong = both["strong_mean"].astype(float)
    label = both["doc_id"].astype(str) + " r" + both["round"].astype(str)
    ran = both[strong.notna()]
    for decision, group in ran.groupby(decision_column, sort=False):
        fig.add_trace(
            go.Scatter(
                x=group["weak_mean"],
                y=group["strong_mean"].astype(float),
                mode="markers",
                name=f"{decision} ({len(group)})",
                marker=dict(color=decision_color(decision), size=8, opacity=0.75),
                text=label[group.index],
                hovertemplate="%{text}<br>weak %{x:.2f}<br>strong %{y:.2f}<extra></extra>",
            )
        )
    missing = both[strong.isna()]
    if len(missing):
        fig.add_trace(
            go.Scatter(
                x=missing["weak_mean"],
                y=[STRONG_NOT_RUN_Y] * len(missing),
                mode="markers",
                name=f"strong not run ({len(missing)})",
                marker=dict(
                    color=[decision_color(d) for d in missing[decision_column]],
                    symbol="x-thin",
                    size=9,
                    line=dict(width=2, color="#555"),
                ),
                text=label[missing.index],
                customdata=missing[decision_column],
                hovertemplate=(
                    "%{text}<br>weak %{x:.2f}<br>strong not run<br>%{customdata}<extra></extra>"
                ),
            )
        )
    add_threshold_lines(fig, thresholds)
    fig.update_xaxes(range=[-0.05, 1.05])
    fig.update_yaxes(range=[-0.1, 1.05])
    title = "Weak vs strong mean per round" + _not_shown(
        rounds, rounds["weak_mean"].notna(), "no weak scores"
    )
    return _layout(fig, title, xaxis_title="weak mean", yaxis_title="strong mean", height=440)


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
    """Rounds each accepted document needed, with the mean and the paper's 6.59 (CS) marked."""
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
        annotation_text="paper (CS): 6.59",
        annotation_position="bottom right",
    )
    _count_axis(fig, int(rta.value_counts().max()) if len(rta) else 0)
    _count_axis(fig, 0, axis="x")  # rounds are whole numbers too
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
            marker_color=[decision_color(d) for d in counts.index],
            customdata=[decision_meaning(d) for d in counts.index],
            hovertemplate="%{x}: %{y} rounds<br>%{customdata}<extra></extra>",
            cliponaxis=False,
            textposition="outside",
        )
    )
    _count_axis(fig, max(counts.max(), 0) if len(counts) else 0)
    fig.update_xaxes(type="category", automargin=True)
    return _layout(fig, title, yaxis_title="rounds", showlegend=False)


def _subplot_titles_font(fig: go.Figure) -> None:
    """Subplot titles smaller than the figure title, so they do not run into each other."""
    fig.update_annotations(font_size=12, selector=dict(yref="paper", y=1.0))
    fig.update_layout(title_y=0.97)
