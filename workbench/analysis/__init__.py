"""Tables and charts over run records (pandas, plotly)."""

from __future__ import annotations

from workbench.analysis._agreement import agreement_chart, agreement_summary, panel_agreement
from workbench.analysis._plots import (
    BINS,
    DECISION_COLORS,
    DECISION_MEANINGS,
    SIDE_COLORS,
    add_threshold_lines,
    decision_color,
    decision_funnel,
    decision_meaning,
    decisions_bar,
    gap_histogram,
    rounds_to_acceptance,
    score_distributions,
    weak_vs_strong,
)
from workbench.analysis._plots_runs import (
    baseline_vs_agentic,
    cost_per_accepted,
    evolution,
    variant_comparison,
)
from workbench.analysis._skills import acceptance_by, acceptance_chart
from workbench.analysis._spend import cost_figures, format_costs, spend_chart, spend_table
from workbench.analysis._tables import (
    DECISION_ORDER,
    PUBLISHED_ROUNDS_PER_ACCEPTED,
    as_records,
    compare,
    decision_counts,
    documents_accepted,
    efficiency,
    flips,
    funnel,
    redecide,
    rounds_to_accept,
    scores_long,
)

__all__ = [
    "BINS",
    "DECISION_COLORS",
    "DECISION_MEANINGS",
    "DECISION_ORDER",
    "PUBLISHED_ROUNDS_PER_ACCEPTED",
    "SIDE_COLORS",
    "acceptance_by",
    "acceptance_chart",
    "add_threshold_lines",
    "agreement_chart",
    "agreement_summary",
    "panel_agreement",
    "as_records",
    "baseline_vs_agentic",
    "compare",
    "cost_figures",
    "cost_per_accepted",
    "decision_counts",
    "decision_color",
    "decision_funnel",
    "decision_meaning",
    "decisions_bar",
    "documents_accepted",
    "efficiency",
    "evolution",
    "flips",
    "format_costs",
    "funnel",
    "gap_histogram",
    "redecide",
    "rounds_to_accept",
    "rounds_to_acceptance",
    "score_distributions",
    "scores_long",
    "spend_chart",
    "spend_table",
    "variant_comparison",
    "weak_vs_strong",
]
