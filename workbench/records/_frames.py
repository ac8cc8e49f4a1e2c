"""Run records as pandas DataFrames (pandas is imported only here)."""

from __future__ import annotations

from typing import Any

ROUND_COLUMNS = [
    "doc_id",
    "round",
    "mode",
    "decision",
    "parent",
    "reason",
    "weak_mean",
    "strong_mean",
    "gap",
    "p_value",
    "weak_scores",
    "strong_scores",
    "question",
    "question_type",
    "n_criteria",
    "quality_ok",
    "feedback",
    "task",
    "ts",
]


def rounds_frame(records: list[dict[str, Any]]):
    import pandas as pd

    rows = []
    for r in records:
        task = r.get("task") or {}
        quality = r.get("quality")
        rows.append(
            {
                **{k: r.get(k) for k in ROUND_COLUMNS if k in r},
                "question": task.get("question"),
                "question_type": task.get("question_type"),
                "n_criteria": len(task.get("rubric") or []) or None,
                "quality_ok": None if quality is None else quality.get("ok"),
                "weak_rollouts": r.get("weak_rollouts") or [],
                "strong_rollouts": r.get("strong_rollouts") or [],
                "agreement": r.get("agreement") or [],
                "low_agreement": r.get("low_agreement") or [],
                "rollouts": r.get("rollouts") or {},
            }
        )
    extra = ["weak_rollouts", "strong_rollouts", "agreement", "low_agreement", "rollouts"]
    frame = pd.DataFrame(rows, columns=[*ROUND_COLUMNS, *extra])
    return frame.sort_values(["doc_id", "round"], kind="stable").reset_index(drop=True)


def accepted_frame(records: list[dict[str, Any]]):
    import pandas as pd

    from workbench.records._types import Example

    frame = pd.DataFrame(records, columns=list(Example.model_fields))
    if frame.empty:
        return frame
    return frame.sort_values(["doc_id", "round"], kind="stable").reset_index(drop=True)


def calls_frame(records: list[dict[str, Any]]):
    import pandas as pd

    return pd.DataFrame(records)
