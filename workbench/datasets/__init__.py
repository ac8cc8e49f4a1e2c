"""From accepted examples to training and evaluation: export, dedup, rewards, evaluate."""

from __future__ import annotations

from workbench.datasets._dedup import jaccard, near_duplicates, shingles, signature
from workbench.datasets._evaluate import (
    WEIGHT_CLASSES,
    EvalTask,
    answer,
    bootstrap_interval,
    clipped_score,
    evaluate,
    format_table,
    grade,
    load_bench,
    normalized_score,
    points,
    prbench_weight,
    reported,
    transcript,
)
from workbench.datasets._export import (
    FORMATS,
    Exported,
    dataset_card,
    dedup,
    export,
    full_row,
    grpo_row,
    sft_row,
    user_prompt,
)

__all__ = [
    "EvalTask",
    "Exported",
    "FORMATS",
    "RubricReward",
    "WEIGHT_CLASSES",
    "answer",
    "bootstrap_interval",
    "clipped_score",
    "dataset_card",
    "dedup",
    "evaluate",
    "export",
    "format_table",
    "full_row",
    "grade",
    "grpo_row",
    "jaccard",
    "load_bench",
    "near_duplicates",
    "normalized_score",
    "points",
    "prbench_weight",
    "reported",
    "rubric_reward",
    "sft_row",
    "shingles",
    "signature",
    "transcript",
    "user_prompt",
]


def __getattr__(name: str):
    # The rewards module builds its default `rubric_reward` (prompts loaded) on import: only on use.
    if name in ("RubricReward", "rubric_reward"):
        from workbench.datasets import _rewards

        return getattr(_rewards, name)
    raise AttributeError(f"module 'workbench.datasets' has no attribute {name!r}")
