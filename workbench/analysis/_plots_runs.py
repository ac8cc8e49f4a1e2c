"""Charts that compare runs: spend per accepted example, baseline against agentic, prompt
variants, and the meta-optimization trajectory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.analysis._plots import (
    NO_PRICES,
    SIDE_COLORS,
    _count_axis,
    _layout,
    _most_per_bin,
    _subplot_titles_font,
)


def _accepted_column(table: pd.DataFrame) -> pd.Series:
    """Rounds accepted per run (`accepted`; older tables only have `kept`)."""
    return table["accepted"] if "accepted" in table else table["kept"]


def _run_labels(table: pd.DataFrame) -> list[str]:
    modes = table["mode"] if "mode" in table else pd.Series([""] * len(table))
    return [
        f"{r} (baseline)" if m == "baseline" else str(r)
        for r, m in zip(table["run"], modes, strict=True)
    ]


def cost_per_accepted(table: pd.DataFrame) -> go.Figure:
    """Calls, tokens and cost per accepted example, per run (from `analysis.compare`).

    Every figure is over the run's accepted rounds, in baseline mode too (its kept tasks
    are not all accepted). A run with 0 accepted and a cost panel without prices say so."""
    titles = (
        "calls per accepted example",
        "tokens per accepted example",
        "USD per accepted example",
    )
    keys = ("calls_per_accepted", "tokens_per_accepted", "cost_per_accepted")
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.1)
    labels = _run_labels(table)
    for col, key in enumerate(keys, 1):
        values = table[key]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=key,
                text=[_short(v) for v in values],
                showlegend=False,
            ),
            row=1,
            col=col,
        )
    if table.empty or table["cost_per_accepted"].isna().all():
        _panel_note(fig, 3, NO_PRICES if not table.empty else "no runs")
    none = [lab for lab, n in zip(labels, _accepted_column(table), strict=True) if not n]
    if none:
        _panel_note(fig, 1, f"0 accepted: {', '.join(none)}", y=0.85)
    _subplot_titles_font(fig)
    return _layout(fig, "Spend per accepted example", margin=dict(l=50, r=20, t=90, b=45))


def _panel_note(fig: go.Figure, col: int, text: str, y: float = 0.5) -> None:
    """An annotation in the middle of a subplot (its x axis domain, paper y)."""
    domain = fig.layout[f"xaxis{col if col > 1 else ''}"].domain
    fig.add_annotation(
        text=text,
        x=(domain[0] + domain[1]) / 2,
        y=y,
        xref="paper",
        yref="paper",
        showarrow=False,
        font=dict(color="#777"),
    )


def _examples_label(run: Any) -> tuple[str, pd.DataFrame]:
    """A run (or its examples frame) as (what its examples are, the frame)."""
    frame = getattr(run, "accepted", run)
    mode = getattr(getattr(run, "config", None), "mode", None)
    if mode is None and "decision" in frame and len(frame):
        mode = "agentic" if (frame["decision"] == "accepted").all() else "baseline"
    return ("kept tasks" if mode == "baseline" else "accepted examples"), frame


def baseline_vs_agentic(kept: Mapping[str, Any]) -> go.Figure:
    """Weak and strong means and the gap of each run's examples, side by side: accepted
    examples for an agentic run, kept tasks for a baseline one. Values are runs or their
    `accepted` frames; a run without examples is annotated."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("weak / strong mean per example", "gap per example"),
        horizontal_spacing=0.12,
    )
    empty = []
    for name, value in kept.items():
        what, frame = _examples_label(value)
        if frame.empty:
            empty.append(f"{name}: 0 {what}")
        for side in ("weak", "strong"):
            fig.add_trace(
                go.Box(
                    y=frame.get(f"{side}_mean", pd.Series(dtype=float)),
                    name=f"{name} ({what}): {side}",
                    marker_color=SIDE_COLORS[side],
                    boxmean=True,
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Histogram(
                x=frame.get("gap", pd.Series(dtype=float)),
                name=f"{name} ({what}): gap",
                opacity=0.6,
                xbins=dict(start=-1, end=1.0001, size=0.1),
            ),
            row=1,
            col=2,
        )
    most = max(
        (
            _most_per_bin(
                _examples_label(v)[1].get("gap", pd.Series(dtype=float)).dropna(), -1, 1.0, 0.1
            )
            for v in kept.values()
        ),
        default=0,
    )
    _count_axis(fig, most, row=1, col=2)
    fig.update_yaxes(title_text="examples", row=1, col=2)
    if empty:
        _panel_note(fig, 1, "<br>".join(empty), y=0.85)
    fig.update_layout(barmode="overlay")
    _subplot_titles_font(fig)
    return _layout(fig, "Baseline vs agentic", height=440, margin=dict(l=50, r=20, t=90, b=45))


def variant_comparison(table: pd.DataFrame) -> go.Figure:
    """Prompt variants side by side: acceptance rate, mean rounds, weak and strong means."""
    keys = ("acceptance_rate", "mean_rounds_to_accept", "kept_weak_mean", "kept_strong_mean")
    titles = (
        "acceptance rate",
        "mean rounds to accept",
        "weak mean, accepted",
        "strong mean, accepted",
    )
    fig = make_subplots(rows=1, cols=4, subplot_titles=titles, horizontal_spacing=0.07)
    for col, key in enumerate(keys, 1):
        fig.add_trace(
            go.Bar(
                x=table["run"], y=table[key], text=[_short(v) for v in table[key]], showlegend=False
            ),
            row=1,
            col=col,
        )
    for col, key in enumerate(keys, 1):
        if table.empty or table[key].isna().all():
            note = "no accepted rounds" if col > 1 else "no documents"
            _panel_note(fig, col, "no runs" if table.empty else note)
    _subplot_titles_font(fig)
    return _layout(fig, "Prompt variants", height=360, margin=dict(l=50, r=20, t=90, b=45))


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
