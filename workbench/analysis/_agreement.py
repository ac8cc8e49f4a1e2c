"""A judge panel's agreement over a run: one row per criterion of every round, and a chart
with the low-agreement criteria flagged (empty for a single-judge run)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.config import JudgePanel

AGREEMENT_COLUMNS = [
    "doc_id",
    "round",
    "criterion",
    "text",
    "answers",
    "agreement",
    "kappa",
    "low",
]
LOW_COLOR, OK_COLOR = "#d62728", "#2ca02c"


def panel_agreement(rounds: pd.DataFrame) -> pd.DataFrame:
    """Per round and criterion: answers measured, percent agreement, Fleiss' kappa and the
    low-agreement flag, low ones first (no rows when the run had a single judge)."""
    rows = []
    for r in rounds.itertuples(index=False):
        task = r.task if isinstance(r.task, dict) else {}
        rubric = task.get("rubric") or []
        for a in getattr(r, "agreement", None) or []:
            index = a["criterion"] - 1
            text = rubric[index]["criterion"] if index < len(rubric) else ""
            rows.append({"doc_id": r.doc_id, "round": r.round, "text": text, **a})
    frame = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    if frame.empty:
        return frame
    frame = frame.sort_values(["low", "agreement"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def agreement_summary(table: pd.DataFrame) -> dict:
    """Criteria measured and flagged, mean percent agreement and kappa (None without a panel)."""
    if table.empty:
        return {"criteria": 0, "low": 0, "mean_agreement": None, "mean_kappa": None}

    def _mean(column: str) -> float | None:
        values = table[column].dropna()
        return None if values.empty else round(float(values.mean()), 4)

    return {
        "criteria": len(table),
        "low": int(table["low"].sum()),
        "mean_agreement": _mean("agreement"),
        "mean_kappa": _mean("kappa"),
    }


def agreement_chart(table: pd.DataFrame, rules: JudgePanel) -> go.Figure:
    """Each criterion of each round at (percent agreement, Fleiss' kappa), low ones in red,
    with the flagging thresholds; a criterion whose kappa is undefined (every grade the same)
    sits at kappa 1."""
    fig = go.Figure()
    if table.empty:
        fig.add_annotation(text="a single judge: no panel agreement to show", showarrow=False)
    for low, color, name in ((True, LOW_COLOR, "low agreement"), (False, OK_COLOR, "agreeing")):
        part = table[table["low"] == low]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["agreement"],
                y=part["kappa"].fillna(1.0),
                mode="markers",
                name=f"{name} ({len(part)})",
                marker=dict(color=color, size=9, opacity=0.7),
                text=[
                    f"{d} r{n} c{c}: {t[:80]}"
                    for d, n, c, t in zip(
                        part["doc_id"], part["round"], part["criterion"], part["text"], strict=True
                    )
                ],
                hovertemplate="%{text}<br>agreement %{x:.2f} · kappa %{y:.2f}<extra></extra>",
            )
        )
    fig.add_vline(x=rules.min_agreement, line_dash="dot", line_color="grey")
    fig.add_hline(y=rules.min_kappa, line_dash="dot", line_color="grey")
    fig.update_xaxes(title="percent agreement", range=[-0.02, 1.02])
    fig.update_yaxes(title="Fleiss' kappa", range=[-1.05, 1.05])
    summary = agreement_summary(table)
    fig.update_layout(
        title=f"Judge panel agreement per criterion: {summary['low']} of "
        f"{summary['criteria']} flagged",
        template="plotly_white",
        height=380,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig
