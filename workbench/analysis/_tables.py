"""Data shaping for analysis: runs in, tidy DataFrames out. No model calls, no plotting.

`redecide()` is the what-if engine behind the threshold explorer: it applies
`acceptance.decide` to every stored round with other thresholds (and,
optionally, only the first k rollouts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbench.config import Thresholds
from workbench.loop import STRONG_NOT_RUN, decide, judged
from workbench.records import DECISIONS

PUBLISHED_ROUNDS_PER_ACCEPTED = 6.59
"""Mean rounds per accepted CS question in the paper (arXiv 2606.25996); the blog gives no mean
(median 3–5 rounds per paper). See the README's Published figures."""
DECISION_ORDER = [*DECISIONS, STRONG_NOT_RUN]


def scores_long(rounds: pd.DataFrame) -> pd.DataFrame:
    """One row per rollout score: doc_id, round, decision, side, rollout, score."""
    rows = []
    for r in rounds.itertuples(index=False):
        for side in ("weak", "strong"):
            for i, score in enumerate(getattr(r, f"{side}_scores") or []):
                rows.append((r.doc_id, r.round, r.decision, side, i, score))
    return pd.DataFrame(rows, columns=["doc_id", "round", "decision", "side", "rollout", "score"])


def redecide(
    rounds: pd.DataFrame, thresholds: Thresholds, rollouts: int | None = None
) -> pd.DataFrame:
    """Every stored round decided again under `thresholds`, using at most `rollouts` per side.

    Rounds that failed quality or errored keep their decision (no scores to
    re-decide). A round whose strong solver never ran but whose weak side now
    passes is `strong_not_run`: it cannot be decided without new calls. Each round is
    re-decided with the rollouts it planned per side (its record's `rollouts`, capped at
    `rollouts`; as many as it stores in records without them). A round with a
    stored loop-judge verdict that the thresholds accept gets that verdict's decision
    (`accepted` or `improve`, forced reasons included), as the loop decided it.
    """
    out = []
    for r in rounds.itertuples(index=False):
        weak = list(r.weak_scores or [])[:rollouts] if rollouts else list(r.weak_scores or [])
        strong = r.strong_scores
        strong = (list(strong)[:rollouts] if rollouts else list(strong)) if strong else None
        planned = dict(getattr(r, "rollouts", None) or {})
        if rollouts:
            planned = {side: min(k, rollouts) for side, k in planned.items()}
        if r.decision in ("error", "failed_quality") or not weak:
            verdict = (r.decision, r.reason, r.weak_mean, r.strong_mean, r.gap, r.p_value)
        else:
            v = decide(weak, strong, thresholds, rollouts=planned or None)
            lj = getattr(r, "loop_judge", None)
            if isinstance(lj, dict):
                v = judged(v, lj)
            verdict = (v.decision, v.reason, v.weak_mean, v.strong_mean, v.gap, v.p_value)
        out.append((r.doc_id, r.round, r.decision, *verdict))
    return pd.DataFrame(
        out,
        columns=[
            "doc_id",
            "round",
            "stored_decision",
            "decision",
            "reason",
            "weak_mean",
            "strong_mean",
            "gap",
            "p_value",
        ],
    )


def flips(redecided: pd.DataFrame) -> pd.DataFrame:
    """Rounds whose decision differs from the stored one."""
    changed = redecided[redecided["decision"] != redecided["stored_decision"]]
    return changed[["doc_id", "round", "stored_decision", "decision", "reason"]].reset_index(
        drop=True
    )


def decision_counts(frame: pd.DataFrame, column: str = "decision") -> pd.Series:
    """Rounds per decision, every decision kind present (zeros included), in a fixed order."""
    counts = frame[column].value_counts() if len(frame) else pd.Series(dtype=int)
    order = [d for d in DECISION_ORDER if d in DECISIONS or counts.get(d, 0)]
    return pd.Series({d: int(counts.get(d, 0)) for d in order}, name="rounds")


def documents_accepted(frame: pd.DataFrame) -> int:
    """Documents with at least one accepted round."""
    return int(frame.loc[frame["decision"] == "accepted", "doc_id"].nunique())


def rounds_to_accept(rounds: pd.DataFrame) -> pd.Series:
    """For each document with an accepted round, the round number it was accepted at."""
    accepted = rounds[rounds["decision"] == "accepted"]
    return accepted.groupby("doc_id")["round"].min().rename("rounds_to_accept")


def funnel(rounds: pd.DataFrame) -> pd.DataFrame:
    """How many rounds survive each stage of the loop."""
    written = rounds["task"].notna()
    quality = written & (rounds["decision"] != "failed_quality")
    judged = quality & rounds["weak_scores"].notna()
    strong_ran = judged & rounds["strong_scores"].notna()
    strong_ok = strong_ran & rounds["decision"].isin(["accepted", "not_significant"])
    accepted = rounds["decision"] == "accepted"
    stages = [
        ("rounds", len(rounds)),
        ("task written", int(written.sum())),
        ("passed quality", int(quality.sum())),
        ("weak judged", int(judged.sum())),
        ("weak in range (strong run)", int(strong_ran.sum())),
        ("strong and gap in range", int(strong_ok.sum())),
        ("accepted", int(accepted.sum())),
    ]
    return pd.DataFrame(stages, columns=["stage", "rounds"])


def efficiency(calls: pd.DataFrame, n: int, per: str = "accepted") -> dict[str, float | None]:
    """Calls, tokens and cost per accepted example (or, `per="kept"`, per kept example)."""
    keys = [f"calls_per_{per}", f"tokens_per_{per}", f"cost_per_{per}"]
    if calls.empty:
        return dict.fromkeys(keys)
    tokens = calls["prompt_tokens"].fillna(0).sum() + calls["completion_tokens"].fillna(0).sum()
    priced = calls["cost_usd"].notna().any()
    cost = float(calls["cost_usd"].fillna(0).sum()) if priced else None
    values = [float(len(calls)), float(tokens), cost]
    return {k: None if v is None or not n else v / n for k, v in zip(keys, values, strict=True)}


def compare(runs: Mapping[str, Any]) -> pd.DataFrame:
    """One row per run: accepted rounds and kept examples (named apart: in baseline mode a
    task is kept whatever its decision), acceptance, rounds, scores and spend."""
    rows = []
    for name, run in runs.items():
        rounds, kept = run.rounds, run.accepted
        s = run.summary
        rta = rounds_to_accept(rounds)
        accepted = int((rounds["decision"] == "accepted").sum()) if len(rounds) else 0
        rows.append(
            {
                "run": name,
                "mode": run.config.mode,
                "documents": s["documents"],
                "rounds": len(rounds),
                "accepted": accepted,
                "kept": len(kept),
                "documents_accepted": documents_accepted(rounds),
                "acceptance_rate": documents_accepted(rounds) / s["documents"]
                if s["documents"]
                else None,
                "mean_rounds_to_accept": float(rta.mean()) if len(rta) else None,
                "kept_weak_mean": float(kept["weak_mean"].mean()) if len(kept) else None,
                "kept_strong_mean": float(kept["strong_mean"].mean()) if len(kept) else None,
                "kept_gap": float(kept["gap"].mean()) if len(kept) else None,
                **efficiency(run.calls, accepted),
                **efficiency(run.calls, len(kept), per="kept"),
            }
        )
    return pd.DataFrame(rows)


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts for display or JSON, missing values (NaN, NaT) as None:
    NaN is not valid JSON, and Jupyter warns when a displayed record holds one."""
    return [
        {k: None if pd.api.types.is_scalar(v) and pd.isna(v) else v for k, v in row.items()}
        for row in frame.to_dict("records")
    ]
