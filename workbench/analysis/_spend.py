"""Where a run's money went: spend per role and per decision kind, cost per accepted example,
and what the provider's prompt cache saved. Pure functions of the calls and rounds frames.

A call belongs to the round (document, round) it was made for; the round's decision names the
kind (`unrecorded`: no round record, such as the preflight probe). Tokens are paid tokens
(call-cache hits cost nothing); without prices (the simulator) tokens are the figure."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.analysis._plots import _layout, _subplot_titles_font, decision_color
from workbench.records import DECISIONS, UNRECORDED

SPEND_COLUMNS = ["by", "name", "calls", "tokens", "cached_prompt_tokens", "cost_usd", "share"]


def _paid(calls: pd.DataFrame) -> pd.DataFrame:
    """calls with `decision`, paid `tokens` and `cached_prompt_tokens` columns."""
    frame = calls.copy()
    for col in ("prompt_tokens", "completion_tokens", "cached_prompt_tokens", "cache_savings_usd"):
        if col not in frame:
            frame[col] = None
    paid = (
        ~frame["cached"].fillna(False).astype(bool)
        if "cached" in frame
        else pd.Series(True, index=frame.index)
    )
    tokens = frame["prompt_tokens"].fillna(0) + frame["completion_tokens"].fillna(0)
    frame["tokens"] = tokens.where(paid, 0).astype(int)
    frame["cached_prompt_tokens"] = (
        frame["cached_prompt_tokens"].fillna(0).where(paid, 0).astype(int)
    )
    return frame


def _with_decisions(calls: pd.DataFrame, rounds: pd.DataFrame) -> pd.DataFrame:
    frame = _paid(calls)
    if rounds.empty or frame.empty:
        frame["decision"] = UNRECORDED
        return frame
    keys = rounds[["doc_id", "round", "decision"]].drop_duplicates(["doc_id", "round"], keep="last")
    frame = frame.merge(keys, on=["doc_id", "round"], how="left")
    frame["decision"] = frame["decision"].fillna(UNRECORDED)
    return frame


def spend_table(calls: pd.DataFrame, rounds: pd.DataFrame) -> pd.DataFrame:
    """One row per role and per decision kind: calls, paid tokens, cached prompt tokens, USD
    (NaN without prices) and share (of USD with prices, else of tokens)."""
    if calls.empty:
        return pd.DataFrame(columns=SPEND_COLUMNS)
    frame = _with_decisions(calls, rounds)
    priced = "cost_usd" in frame and frame["cost_usd"].notna().any()
    frame["cost"] = frame["cost_usd"].fillna(0.0) if "cost_usd" in frame else 0.0
    rows = []
    order = {"decision": [*DECISIONS, UNRECORDED]}
    for by in ("role", "decision"):
        groups = frame.groupby(by, sort=False)
        names = [n for n in order.get(by, list(groups.groups)) if n in groups.groups]
        measure = "cost" if priced else "tokens"
        total = float(frame[measure].sum()) or 1.0
        for name in names:
            g = groups.get_group(name)
            rows.append(
                {
                    "by": by,
                    "name": name,
                    "calls": len(g),
                    "tokens": int(g["tokens"].sum()),
                    "cached_prompt_tokens": int(g["cached_prompt_tokens"].sum()),
                    "cost_usd": float(g["cost"].sum()) if priced else float("nan"),
                    "share": float(g[measure].sum()) / total,
                }
            )
    return pd.DataFrame(rows, columns=SPEND_COLUMNS)


def cost_figures(calls: pd.DataFrame, rounds: pd.DataFrame) -> dict[str, Any]:
    """The headline figures: cost and tokens per accepted example, what the rounds that were
    too easy spent, and the cache savings (None where there is no price or nothing accepted)."""
    accepted = int((rounds["decision"] == "accepted").sum()) if len(rounds) else 0
    frame = _with_decisions(calls, rounds) if not calls.empty else _paid(calls)
    priced = not frame.empty and "cost_usd" in frame and frame["cost_usd"].notna().any()
    cost = float(frame["cost_usd"].fillna(0).sum()) if priced else None
    tokens = int(
        frame["prompt_tokens"].fillna(0).sum() + frame["completion_tokens"].fillna(0).sum()
    )
    easy = frame[frame["decision"] == "too_easy"] if "decision" in frame else frame.iloc[:0]
    prompt = int(frame.loc[frame["tokens"] > 0, "prompt_tokens"].fillna(0).sum())
    cached = int(frame["cached_prompt_tokens"].sum())
    return {
        "accepted": accepted,
        "cost_usd": cost,
        "tokens": tokens,
        "cost_per_accepted": cost / accepted if priced and accepted else None,
        "tokens_per_accepted": tokens / accepted if accepted else None,
        "too_easy_usd": float(easy["cost_usd"].fillna(0).sum()) if priced else None,
        "too_easy_tokens": int(easy["tokens"].sum()),
        "cached_prompt_tokens": cached,
        "cached_share": cached / prompt if prompt else 0.0,
        "cache_savings_usd": float(frame["cache_savings_usd"].fillna(0).sum()) if priced else None,
    }


def format_costs(f: dict[str, Any]) -> str:
    """The headline figures as lines: USD with prices, tokens alongside."""

    def money(usd: float | None, tokens: float | None) -> str:
        shown = "-" if tokens is None else f"{tokens:,.0f} tokens"
        return shown if usd is None else f"${usd:,.4f} ({shown})"

    lines = [
        f"cost per accepted example: {money(f['cost_per_accepted'], f['tokens_per_accepted'])}"
        + ("" if f["accepted"] else " (nothing accepted)"),
        f"spent on rounds that were too easy: {money(f['too_easy_usd'], f['too_easy_tokens'])}",
    ]
    read = (
        f"{f['cached_prompt_tokens']:,} prompt tokens read from the provider's cache, "
        f"{f['cached_share']:.1%} of the paid prompt tokens"
    )
    saved = f["cache_savings_usd"]
    lines.append(
        f"cache savings: {read}" if saved is None else f"cache savings: ${saved:,.4f} ({read})"
    )
    if f["cost_usd"] is None:
        lines.append("(no prices for these models: figures in tokens; set input_cost_per_token")
        lines[-1] += " and output_cost_per_token per model for USD)"
    return "\n".join(lines)


def spend_chart(table: pd.DataFrame) -> go.Figure:
    """Spend per role and per decision kind, side by side (USD with prices, else tokens)."""
    priced = not table.empty and table["cost_usd"].notna().any()
    what = "USD" if priced else "tokens"
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(f"{what} per role", f"{what} per decision kind"),
        horizontal_spacing=0.12,
    )
    for col, by in enumerate(("role", "decision"), 1):
        part = table[table["by"] == by]
        values = part["cost_usd"] if priced else part["tokens"]
        colors = [decision_color(n) for n in part["name"]] if by == "decision" else None
        fig.add_trace(
            go.Bar(
                x=list(part["name"]),
                y=list(values),
                marker_color=colors,
                text=[f"{s:.0%}" for s in part["share"]],
                showlegend=False,
            ),
            row=1,
            col=col,
        )
    _subplot_titles_font(fig)
    return _layout(fig, f"Where the {what} went", margin=dict(l=50, r=20, t=90, b=45))
