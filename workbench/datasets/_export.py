"""Accepted examples out to training data: SFT chat JSONL, GRPO JSONL, a HF dataset or parquet.

Examples a reviewer rejected (reviews.jsonl, the latest review per example) are dropped
unless asked to keep them, then near-duplicate questions (MinHash over word 3-grams); a
dataset card records models, thresholds, counts (reviews included), score statistics, prompt
hashes and the repairs made to the exported tasks (each row carries its own `repairs`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean, median
from typing import Any

from workbench.datasets._dedup import near_duplicates
from workbench.engines import validate_run
from workbench.errors import WorkbenchError
from workbench.records import Run, dumps, latest_reviews, retained_ids

FORMATS = ("sft", "grpo", "hf", "parquet")


@dataclass
class Exported:
    path: Path
    card: Path
    rows: int
    duplicates_removed: int
    rejected_removed: int = 0
    """Examples dropped because their latest review rejects them."""
    used: str = "accepted"
    """Which set was exported: `retained` (the final filter's, filtered.jsonl) or `accepted`."""
    filter_removed: int = 0
    """Accepted examples the final filter did not retain (left out when `used` is retained)."""


def user_prompt(example: dict[str, Any]) -> str:
    """What the model to be trained sees: the context, then the question."""
    context = (example.get("context") or "").strip()
    return f"{context}\n\n{example['question'].strip()}" if context else example["question"].strip()


def sft_row(example: dict[str, Any]) -> dict[str, Any]:
    """TRL's conversational format: `messages` with a user turn and the assistant's label."""
    return {
        "messages": [
            {"role": "user", "content": user_prompt(example)},
            {"role": "assistant", "content": example["label"]},
        ],
        "id": example["id"],
        "repairs": list(example.get("repairs") or []),
    }


def grpo_row(example: dict[str, Any]) -> dict[str, Any]:
    """A conversational `prompt` for GRPOTrainer; the other columns reach the reward function."""
    return {
        "prompt": [{"role": "user", "content": user_prompt(example)}],
        "rubric": [{"criterion": c["criterion"], "weight": c["weight"]} for c in example["rubric"]],
        "reference_answer": example["reference_answer"],
        "id": example["id"],
        "doc_id": example["doc_id"],
        "parent": example.get("parent"),  # the long document a section came from, or None
        "weak_scores": example["weak_scores"],
        "strong_scores": example["strong_scores"],
        "weak_mean": example["weak_mean"],
        "strong_mean": example["strong_mean"],
        "gap": example["gap"],
        "repairs": list(example.get("repairs") or []),
    }


def full_row(example: dict[str, Any]) -> dict[str, Any]:
    """Every field, for the datasets formats."""
    return {
        **grpo_row(example),
        **sft_row(example),
        "context": example["context"],
        "question": example["question"],
        "question_type": example["question_type"],
        "label": example["label"],
        "p_value": example.get("p_value"),
    }


def dedup(
    examples: list[dict[str, Any]], threshold: float | None
) -> tuple[list[dict[str, Any]], int]:
    if threshold is None or threshold >= 1.0 or len(examples) < 2:
        return examples, 0
    drop = set(near_duplicates([e["question"] for e in examples], threshold))
    return [e for i, e in enumerate(examples) if i not in drop], len(drop)


@dataclass
class ReviewTally:
    """What human review did to an export: verdicts over the accepted examples, and drops."""

    kept: int = 0
    rejected: int = 0
    unreviewed: int = 0
    dropped: int = 0


def drop_rejected(
    examples: list[dict[str, Any]], verdicts: dict[str, str], include_rejected: bool
) -> tuple[list[dict[str, Any]], ReviewTally]:
    """The examples whose latest review is not `reject` (all of them with include_rejected)."""
    seen = [verdicts.get(e["id"]) for e in examples]
    tally = ReviewTally(seen.count("keep"), seen.count("reject"), seen.count(None))
    if include_rejected:
        return examples, tally
    out = [e for e, v in zip(examples, seen, strict=True) if v != "reject"]
    tally.dropped = len(examples) - len(out)
    return out, tally


def export(
    run_dir: str | Path,
    fmt: str,
    out: str | Path,
    dedup_threshold: float | None = 0.8,
    include_rejected: bool = False,
    all_accepted: bool = False,
) -> Exported:
    """Write the run's accepted examples as `fmt` to `out`, with a dataset card beside it.

    Examples whose latest review (reviews.jsonl) is `reject` are left out unless
    `include_rejected`; near-duplicate questions are dropped next. When the run was filtered
    (filtered.jsonl), only the retained examples are exported unless `all_accepted`."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    run = Run(run_dir)
    validate_run(run.dir, "export")  # nothing on disk is trusted: see workbench repair
    examples = sorted(run.records("accepted"), key=lambda e: e["id"])
    if not examples:
        raise WorkbenchError(f"{run_dir} has no accepted examples to export")
    examples, filtered = use_retained(run.dir, examples, all_accepted)
    verdicts = {i: r.verdict for i, r in latest_reviews(run.dir).items()}
    examples, reviews = drop_rejected(examples, verdicts, include_rejected)
    if not examples:
        raise WorkbenchError(
            f"every accepted example of {run_dir} was rejected in review "
            "(--include-rejected exports them anyway)"
        )
    kept, removed = dedup(examples, dedup_threshold)
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise WorkbenchError(f"{out} already exists; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("sft", "grpo"):
        make = sft_row if fmt == "sft" else grpo_row
        with open(out, "w", encoding="utf-8") as f:
            for e in kept:
                f.write(dumps(make(e)) + "\n")
        card = out.with_name(out.name + ".card.md")
    else:
        dataset = _dataset([full_row(e) for e in kept])
        if fmt == "hf":
            dataset.save_to_disk(str(out))
            card = out / "README.md"
        else:
            dataset.to_parquet(str(out))
            card = out.with_name(out.name + ".card.md")
    card.write_text(
        dataset_card(run, kept, removed, dedup_threshold, fmt, reviews, filtered), encoding="utf-8"
    )
    used = "accepted" if filtered is None or all_accepted else "retained"
    dropped = 0 if filtered is None or all_accepted else filtered["accepted"] - filtered["retained"]
    return Exported(out, card, len(kept), removed, reviews.dropped, used, dropped)


def use_retained(
    run_dir: Path, examples: list[dict[str, Any]], all_accepted: bool
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The examples to export: the final filter's retained ones when the run was filtered
    (unless `all_accepted`), and the filter's counts for the card (None: not filtered)."""
    retained = retained_ids(run_dir, [e["id"] for e in examples])
    if retained is None:
        return examples, None
    counts = {"accepted": len(examples), "retained": len(retained), "all_accepted": all_accepted}
    if all_accepted:
        return examples, counts
    kept = [e for e in examples if e["id"] in retained]
    if not kept:
        raise WorkbenchError(
            f"the final filter retained none of the {len(examples)} accepted examples of "
            f"{run_dir} (filtered.jsonl says why; --all-accepted exports them anyway)"
        )
    return kept, counts


def _dataset(rows: list[dict[str, Any]]):
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    try:
        import datasets
    except ImportError:
        raise WorkbenchError(
            "hf and parquet exports need the datasets package: pip install -e '.[export]'"
        ) from None
    datasets.disable_progress_bars()
    dataset = datasets.Dataset.from_list(rows)
    # A list of strings even when no row has a repair (inferred, it would be a list of nulls).
    return dataset.cast_column("repairs", datasets.Sequence(datasets.Value("string")))


def dataset_card(
    run: Run,
    kept: list[dict[str, Any]],
    removed: int,
    threshold: float | None,
    fmt: str,
    reviews: ReviewTally | None = None,
    filtered: dict[str, Any] | None = None,
) -> str:
    reviews = reviews or ReviewTally(unreviewed=len(kept) + removed)
    not_retained = 0
    if filtered is not None and not filtered["all_accepted"]:
        not_retained = filtered["accepted"] - filtered["retained"]
    header = run.header
    config = header["config"]
    t = header["thresholds"]
    s = run.summary

    def stats(key: str) -> str:
        values = [e[key] for e in kept]
        return f"mean {fmean(values):.3f}, median {median(values):.3f}, min {min(values):.3f}, max {max(values):.3f}"

    models = "\n".join(
        f"| {role} | `{spec['model']}` | {spec.get('api_base') or ''} |"
        for role, spec in _members(config["models"])
    )
    prompts = "\n".join(
        f"| {role} | `{p['sha256'][:16]}` |" for role, p in header["prompts"].items()
    )
    thresholds = ", ".join(f"{k}={v}" for k, v in t.items() if v is not None and k != "preset")
    return f"""---
task_categories: [question-answering]
tags: [synthetic, autodata, rubrics]
---
# Autodata examples from `{run.dir.name}`

Generated by the workbench ({header["workbench_version"]}) in **{config["mode"]}** mode: a challenger wrote each
question and rubric from a source document; it was kept when the weak solver failed, the strong one
succeeded and the gap held. Exported as `{fmt}`.

## Counts

| | |
| --- | --- |
| documents | {s["documents"]} |
| rounds | {s["rounds"]} |
| accepted | {len(kept) + removed + reviews.dropped + not_retained} |
{filter_rows(filtered)}| reviewed: kept | {reviews.kept} |
| reviewed: rejected | {reviews.rejected} |
| not reviewed | {reviews.unreviewed} |
| rejected in review, dropped | {reviews.dropped} |
| near-duplicates removed (Jaccard >= {threshold}) | {removed} |
| examples in this export | {len(kept)} |
| mean rounds to acceptance | {s.get("mean_rounds_to_accept")} |

## Scores of the exported examples

- weak mean: {stats("weak_mean")}
- strong mean: {stats("strong_mean")}
- gap: {stats("gap")}

## Acceptance

Preset `{t["preset"]}`: {thresholds}; rollouts {_rollouts(config)}, max_rounds {config["max_rounds"]}, seed {config["seed"]}.

## Models

| role | model | api_base |
| --- | --- | --- |
{models}

## Prompts (sha256)

| role | hash |
| --- | --- |
{prompts}

## Repairs

{repairs_section(kept)}

Decisions over all rounds: `{json.dumps(s["decisions"])}`.
"""


def filter_rows(filtered: dict[str, Any] | None) -> str:
    """The card's final-filter rows: accepted → retained, and which set was exported."""
    if filtered is None:
        return "| final filter | not run (every accepted example exported) |\n"
    used = (
        "every accepted example (--all-accepted)"
        if filtered["all_accepted"]
        else "the retained examples"
    )
    return (
        f"| final filter (filtered.jsonl) | {filtered['accepted']} accepted → "
        f"{filtered['retained']} retained |\n| exported set | {used} |\n"
    )


def repairs_section(kept: list[dict[str, Any]], limit: int = 50) -> str:
    """The card's list of the workbench's fixes to the exported examples' tasks (each row's
    `repairs` column holds them too)."""
    repaired = [e for e in kept if e.get("repairs")]
    if not repaired:
        return "No exported example's task needed a repair."
    lines = [
        f"{len(repaired)} of {len(kept)} exported examples had their task repaired "
        "(also in each row's `repairs`):",
        "",
    ]
    lines += [f"- `{e['id']}`: {'; '.join(e['repairs'])}" for e in repaired[:limit]]
    if len(repaired) > limit:
        lines.append(f"- … and {len(repaired) - limit} more")
    return "\n".join(lines)


def _members(models: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(role, spec) per model; a judge panel's members as `judge[0]`, `judge[1]`..."""
    out = []
    for role, value in models.items():
        if isinstance(value, list):
            out += [(f"{role}[{i}]", spec) for i, spec in enumerate(value)]
        else:
            out.append((role, value))
    return out


def _rollouts(config: dict[str, Any]) -> str:
    """The rollouts a run planned, per side when they differ (configs without
    `weak_rollouts` / `strong_rollouts` planned `rollouts` for each)."""
    weak = config.get("weak_rollouts") or config["rollouts"]
    strong = config.get("strong_rollouts") or config["rollouts"]
    return str(weak) if weak == strong else f"{weak} weak, {strong} strong"
