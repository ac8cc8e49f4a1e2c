"""The audit's chart: false-positive rate per attack against the allowed maximum."""

from __future__ import annotations

from typing import Any

from workbench.audit._answers import ATTACKS


def false_positive_chart(report: dict[str, Any]):
    """A plotly bar per attack: the share of its answers the judge passed (red above the
    allowed maximum, a dashed line), with the reference's true-positive rate in the title."""
    import plotly.graph_objects as go

    limit = report["thresholds"]["max_false_positive_rate"]
    kinds = [k for k in report["kinds"] if k in ATTACKS]
    rates = [report["kinds"][k]["pass_rate"] for k in kinds]
    colors = ["#d62728" if (r or 0) > limit else "#2ca02c" for r in rates]
    means = [report["kinds"][k]["mean_score"] for k in kinds]
    fig = go.Figure(
        go.Bar(
            x=kinds,
            y=[r or 0 for r in rates],
            marker_color=colors,
            customdata=[
                [ATTACKS[k], "-" if m is None else f"{m:.2f}"]
                for k, m in zip(kinds, means, strict=True)
            ],
            hovertemplate="%{x}: %{y:.0%} passed<br>mean score %{customdata[1]}"
            "<br>%{customdata[0]}<extra></extra>",
        )
    )
    fig.add_hline(y=limit, line_dash="dash", annotation_text=f"allowed {limit:.0%}")
    tpr = report["true_positive_rate"]
    fig.update_layout(
        title=f"{report['judge']['model']}: false-positive rate per attack "
        f"(reference passes {'-' if tpr is None else f'{tpr:.0%}'}; verdict {report['verdict']})",
        yaxis=dict(title="answers passed", tickformat=".0%", range=[0, 1.05]),
        xaxis=dict(title="attack"),
    )
    return fig
