"""Acceptance by question type and by skill tag: which kinds of question the loop gets into the
sweet spot. A table (pure, over the rounds frame) and its chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.analysis._plots import _layout

BY = ("question_type", "skill")
UNTAGGED = "(untagged)"
"""The group of rounds whose task has no skill tags (records written before skill tags)."""
COLUMNS = ["rounds", "accepted", "acceptance_rate", "weak_mean", "strong_mean", "gap"]


def acceptance_by(rounds: pd.DataFrame, by: str = "skill") -> pd.DataFrame:
    """Per question type (`by="question_type"`) or skill tag (`by="skill"`): the rounds whose
    task has it, how many were accepted, the share accepted, and the mean weak_mean,
    strong_mean and gap over its rounds that have them. A round with three skill tags counts
    once under each; rounds without a task (the challenger failed) are left out. Largest
    groups first."""
    if by not in BY:
        raise ValueError(f"acceptance_by: by must be one of {', '.join(BY)}, not {by!r}")
    written = rounds[rounds["task"].notna()] if len(rounds) else rounds
    rows = []
    for r in written.itertuples(index=False):
        task = r.task if isinstance(r.task, dict) else {}
        if by == "question_type":
            keys = [task.get("question_type") or UNTAGGED]
        else:
            keys = list(dict.fromkeys(task.get("skills") or [])) or [UNTAGGED]
        for key in keys:
            rows.append((key, r.decision == "accepted", r.weak_mean, r.strong_mean, r.gap))
    long = pd.DataFrame(rows, columns=[by, "accepted", "weak_mean", "strong_mean", "gap"])
    if long.empty:
        return pd.DataFrame(columns=[by, *COLUMNS])
    table = long.groupby(by, sort=False).agg(
        rounds=("accepted", "size"),
        accepted=("accepted", "sum"),
        weak_mean=("weak_mean", "mean"),
        strong_mean=("strong_mean", "mean"),
        gap=("gap", "mean"),
    )
    table["accepted"] = table["accepted"].astype(int)
    table["acceptance_rate"] = table["accepted"] / table["rounds"]
    table = table.reset_index()[[by, *COLUMNS]]
    return table.sort_values(
        ["rounds", "accepted", by], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def acceptance_chart(table: pd.DataFrame) -> go.Figure:
    """The share of rounds accepted per group of `acceptance_by`, labelled accepted / rounds."""
    by = next((c for c in BY if c in table.columns), None)
    if by is None:
        raise ValueError("acceptance_chart: give it a table from acceptance_by")
    name = "skill" if by == "skill" else "question type"
    fig = go.Figure(
        go.Bar(
            x=table[by],
            y=table["acceptance_rate"],
            text=[f"{a} / {n}" for a, n in zip(table["accepted"], table["rounds"], strict=True)],
            textposition="outside",
            marker_color="#2ca02c",
            customdata=table[["weak_mean", "strong_mean"]].to_numpy(),
            hovertemplate="%{x}<br>accepted %{text} rounds<br>weak mean %{customdata[0]:.2f}"
            "<br>strong mean %{customdata[1]:.2f}<extra></extra>",
            name="accepted / rounds",
        )
    )
    title = f"Acceptance by {name}" + (
        "<br><sup>a round counts once under each of its skill tags</sup>" if by == "skill" else ""
    )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    return _layout(fig, title, xaxis_title=name, yaxis_title="share of rounds accepted")
