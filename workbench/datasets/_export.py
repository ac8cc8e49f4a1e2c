"""Accepted examples out to training data: SFT chat JSONL, GRPO JSONL, a HF dataset or parquet.

Examples a reviewer rejected (reviews.jsonl, the latest review per example) are dropped
unless asked to keep them, then near-duplicate questions (MinHash over word 3-grams); a
dataset card records models, thresholds, counts (reviews included), score statistics, prompt
hashes, the question types and skill tags, and the repairs made to the exported tasks (each
row carries its own `question_type`, `skills` and `repairs`).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean, median
from typing import Any

from workbench.datasets._dedup import near_duplicates
from workbench.engines import validate_run
from workbench.errors import WorkbenchError
from workbench.records import Run, dumps, latest_reviews

FORMATS = ("sft", "grpo", "hf", "parquet")


@dataclass
class Exported:
    path: Path
    card: Path
    rows: int
    duplicates_removed: int
    rejected_removed: int = 0
    """Examples dropped because their latest review rejects them."""


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
        **_tags(example),
        "repairs": list(example.get("repairs") or []),
    }


def _tags(example: dict[str, Any]) -> dict[str, Any]:
    """The question type and reasoning-skill tags every format carries (empty skills in
    examples written before skill tags)."""
    return {
        "question_type": example.get("question_type") or "",
        "skills": list(example.get("skills") or []),
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
        **_tags(example),
        "repairs": list(example.get("repairs") or []),
    }


def full_row(example: dict[str, Any]) -> dict[str, Any]:
    """Every field, for the datasets formats."""
    return {
        **grpo_row(example),
        **sft_row(example),
        "context": example["context"],
        "question": example["question"],
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
) -> Exported:
    """Write the run's accepted examples as `fmt` to `out`, with a dataset card beside it.

    Examples whose latest review (reviews.jsonl) is `reject` are left out unless
    `include_rejected`; near-duplicate questions are dropped next."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    run = Run(run_dir)
    validate_run(run.dir, "export")  # nothing on disk is trusted: see workbench repair
    examples = sorted(run.records("accepted"), key=lambda e: e["id"])
    if not examples:
        raise WorkbenchError(f"{run_dir} has no accepted examples to export")
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
        dataset_card(run, kept, removed, dedup_threshold, fmt, reviews), encoding="utf-8"
    )
    return Exported(out, card, len(kept), removed, reviews.dropped)


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
    # Lists of strings even when no row has one (inferred, they would be lists of nulls).
    for column in ("repairs", "skills"):
        dataset = dataset.cast_column(column, datasets.Sequence(datasets.Value("string")))
    return dataset


def dataset_card(
    run: Run,
    kept: list[dict[str, Any]],
    removed: int,
    threshold: float | None,
    fmt: str,
    reviews: ReviewTally | None = None,
) -> str:
    reviews = reviews or ReviewTally(unreviewed=len(kept) + removed)
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
| accepted | {len(kept) + removed + reviews.dropped} |
| reviewed: kept | {reviews.kept} |
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

Preset `{t["preset"]}`: {thresholds}; rollouts {config["rollouts"]}, max_rounds {config["max_rounds"]}, seed {config["seed"]}.

{rubric_line(config.get("rubric") or {})}

## Models

| role | model | api_base |
| --- | --- | --- |
{models}

## Prompts (sha256)

| role | hash |
| --- | --- |
{prompts}

## Question types and skills

{tags_section(kept)}

## Repairs

{repairs_section(kept)}

Decisions over all rounds: `{json.dumps(s["decisions"])}`.
"""


def rubric_line(rubric: dict[str, Any]) -> str:
    """The card's line on the rubric rules (runs from before rubric styles are `evolved`)."""
    style = rubric.get("style", "evolved")
    low, high = rubric.get("min_criteria"), rubric.get("max_criteria")
    weight = rubric.get("max_weight")
    signs = (
        f"at least {rubric.get('min_positive', 1)} positive and "
        f"{rubric.get('min_negative', 0)} negative, weights -{weight} to +{weight}"
        if rubric.get("allow_negative")
        else f"positive weights 1 to {weight}"
    )
    return f"Rubric style `{style}`: {low} to {high} criteria, {signs}."


def tags_section(kept: list[dict[str, Any]], limit: int = 20) -> str:
    """The card's counts of the exported examples' question types and skill tags (each row's
    `question_type` and `skills` columns hold them)."""

    def table(name: str, counts: Counter) -> str:
        rows = [f"| {k} | {n} |" for k, n in counts.most_common(limit)]
        if len(counts) > limit:
            rows.append(f"| … {len(counts) - limit} more | |")
        return "\n".join([f"| {name} | examples |", "| --- | --- |", *rows])

    types = Counter(e.get("question_type") or "(none)" for e in kept)
    skills = Counter(s for e in kept for s in dict.fromkeys(e.get("skills") or []))
    untagged = sum(1 for e in kept if not e.get("skills"))
    parts = [table("question type", types), ""]
    if skills:
        parts.append(table("skill", skills))
        if untagged:
            parts += ["", f"{untagged} exported examples have no skill tags."]
    else:
        parts.append("No exported example has skill tags (written before skill tags).")
    return "\n".join(parts)


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
