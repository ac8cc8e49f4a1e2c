"""A rubric benchmark harness: models answer, a judge grades each criterion, PRBench's formulas score.

Inputs: our own `accepted.jsonl`, or PRBench rows (conversation turns in
`prompt_N` / `response_N`, optional `reference_texts_N`, and `rubric` items
`{id, title, annotations}` whose weight is the `<weight class>_weight`
annotation the item's `weight_class` names).

Per task, with points = Σ w·met:
  clipped    = points / Σ positive w            (the figure PRBench reports, as a mean)
  normalized = (points − Σ negative w) / (Σ positive w − Σ negative w)
Reported per model: max(0, mean clipped) with a bootstrap 95% interval.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import ModelSpec
from workbench.errors import ModelOutputError, ProviderError, WorkbenchError
from workbench.inputs import input_rows
from workbench.model import CallMeta, ModelClient
from workbench.records import Appender, write_json_atomic
from workbench.roles import grade as judge_grade
from workbench.roles import load_prompts


@dataclass
class EvalTask:
    id: str
    messages: list[dict[str, str]]
    criteria: list[str]
    weights: list[float]
    meta: dict[str, Any] = field(default_factory=dict)


# --- PRBench's formulas -----------------------------------------------------------


def points(weights: list[float], met: list[float]) -> float:
    return sum(w * m for w, m in zip(weights, met, strict=True))


def clipped_score(weights: list[float], met: list[float]) -> float:
    positive = sum(w for w in weights if w > 0)
    return points(weights, met) / positive if positive else 0.0


def normalized_score(weights: list[float], met: list[float]) -> float:
    low = sum(w for w in weights if w < 0)
    high = sum(w for w in weights if w > 0)
    return (points(weights, met) - low) / (high - low) if high > low else 0.0


def reported(scores: list[float]) -> float:
    """The benchmark figure: max(0, mean of per-task clipped scores)."""
    return max(0.0, sum(scores) / len(scores)) if scores else 0.0


def bootstrap_interval(
    scores: list[float], samples: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Percentile 95% interval of `reported` over tasks resampled with replacement."""
    if not scores:
        return 0.0, 0.0
    rng = random.Random(seed)
    n = len(scores)
    stats = sorted(reported([scores[rng.randrange(n)] for _ in range(n)]) for _ in range(samples))
    return stats[int(0.025 * samples)], stats[min(samples - 1, int(0.975 * samples))]


# --- loading benchmarks -----------------------------------------------------------

WEIGHT_CLASSES = (
    "critically important",
    "important",
    "slightly important",
    "slightly detrimental",
    "detrimental",
    "critically detrimental",
)


def prbench_weight(item: dict[str, Any]) -> float:
    annotations = item.get("annotations") or {}
    weight_class = str(annotations.get("weight_class", "")).strip().lower().replace("-", " ")
    key = weight_class.replace(" ", "_") + "_weight"
    if key not in annotations:
        raise WorkbenchError(
            f"rubric item {item.get('id')!r}: no {key!r} for weight_class {weight_class!r}"
        )
    return float(annotations[key])


def load_bench(path: str | Path, limit: int | None = None) -> list[EvalTask]:
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"no such benchmark file: {path}")
    tasks = []
    for n, row in input_rows(path.read_text(encoding="utf-8"), path, WorkbenchError):
        tasks.append(_prbench_task(row, n) if "prompt_0" in row else _own_task(row, n, path))
        if limit and len(tasks) >= limit:
            break
    if not tasks:
        raise WorkbenchError(f"{path}: no tasks")
    return tasks


def _own_task(row: dict[str, Any], n: int, path: Path) -> EvalTask:
    if "question" not in row or "rubric" not in row:
        raise WorkbenchError(
            f"{path}:{n}: needs `question` and `rubric` (accepted.jsonl) or PRBench's `prompt_0`"
        )
    context = (row.get("context") or "").strip()
    text = f"{context}\n\n{row['question']}" if context else row["question"]
    return EvalTask(
        str(row.get("id", n)),
        [{"role": "user", "content": text}],
        [c["criterion"] for c in row["rubric"]],
        [float(c["weight"]) for c in row["rubric"]],
        {"source": "workbench"},
    )


def _prbench_task(row: dict[str, Any], n: int) -> EvalTask:
    messages = []
    for i in range(64):
        prompt = row.get(f"prompt_{i}")
        if isinstance(prompt, str) and prompt.strip():
            references = row.get(f"reference_texts_{i}") or []
            lead = "".join(f"Reference Text {k}:\n{text}\n\n" for k, text in enumerate(references))
            messages.append({"role": "user", "content": lead + prompt})
        response = row.get(f"response_{i}")
        if isinstance(response, str) and response.strip():
            messages.append({"role": "assistant", "content": response})
    rubric = row.get("rubric") or []
    return EvalTask(
        str(row.get("task") or row.get("id") or n),
        messages,
        [item["title"] for item in rubric],
        [prbench_weight(item) for item in rubric],
        {"field": row.get("field"), "source": "prbench"},
    )


# --- running ----------------------------------------------------------------------


def transcript(messages: list[dict[str, str]]) -> str:
    return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)


async def answer(client: ModelClient, spec: ModelSpec, task: EvalTask) -> str:
    prompt = transcript(task.messages) if len(task.messages) > 1 else task.messages[0]["content"]
    out = await client.complete(spec, prompt, CallMeta("model", task.id, 0))
    return out.text.strip()


async def grade(
    client: ModelClient,
    judge: ModelSpec,
    task: EvalTask,
    response: str,
    per_criterion: bool,
    prompts,
) -> tuple[list[float], list[str]]:
    """The judge's credit for one response to a benchmark task (binary, as PRBench grades)."""
    rubric = [
        {"criterion": c, "weight": w} for c, w in zip(task.criteria, task.weights, strict=True)
    ]
    return await judge_grade(
        client,
        prompts,
        judge,
        CallMeta("judge", task.id, 0),
        context="",
        question=transcript(task.messages),
        answer=response,
        rubric=rubric,
        partial_credit=False,
        per_criterion=per_criterion,
        number_calls=True,
    )


async def evaluate(
    bench: str | Path,
    models: list[ModelSpec],
    judge: ModelSpec,
    out: str | Path,
    per_criterion: bool = True,
    concurrency: int = 32,
    limit: int | None = None,
    bootstrap: int = 1000,
) -> dict[str, Any]:
    """Score every model on every task; write results.jsonl and summary.json under `out`."""
    from workbench.model import check_spec

    tasks = load_bench(bench, limit)
    for spec in models:  # keys before any call
        check_spec(spec, f"--model {spec.model}")
    check_spec(judge, f"--judge {judge.model}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise WorkbenchError(f"{out} already exists and is not empty; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    from workbench.model import CallCache, default_path

    cache = CallCache(default_path())
    client = ModelClient(concurrency=concurrency, cache=cache)
    prompts = load_prompts()
    results = Appender(out / "results.jsonl")
    summary: dict[str, Any] = {
        "bench": str(bench),
        "tasks": len(tasks),
        "judge": judge.model,
        "per_criterion": per_criterion,
        "models": {},
    }
    try:
        for spec in models:

            async def run_task(task: EvalTask, spec=spec) -> dict[str, Any]:
                try:
                    response = await answer(client, spec, task)
                    met, flags = await grade(client, judge, task, response, per_criterion, prompts)
                except (ModelOutputError, ProviderError) as exc:
                    return {"id": task.id, "model": spec.model, "error": str(exc)}
                row = {
                    "id": task.id,
                    "model": spec.model,
                    "response": response,
                    "met": met,
                    "flags": flags,
                    "points": points(task.weights, met),
                    "clipped": clipped_score(task.weights, met),
                    "normalized": normalized_score(task.weights, met),
                    "error": None,
                }
                results.append(row)
                return row

            started = time.perf_counter()
            rows = await asyncio.gather(*(run_task(t) for t in tasks))
            scored = [r for r in rows if not r["error"]]
            clipped = [r["clipped"] for r in scored]
            low, high = bootstrap_interval(clipped, bootstrap)
            summary["models"][spec.model] = {
                "tasks_scored": len(scored),
                "errors": len(rows) - len(scored),
                "score": reported(clipped),
                "ci95": [low, high],
                "mean_clipped": sum(clipped) / len(clipped) if clipped else None,
                "mean_normalized": sum(r["normalized"] for r in scored) / len(scored)
                if scored
                else None,
                "seconds": round(time.perf_counter() - started, 2),
            }
    finally:
        await client.aclose()
        results.close()
        cache.close()
    write_json_atomic(out / "summary.json", summary)
    return summary


def format_table(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['tasks']} task{'' if summary['tasks'] == 1 else 's'}, judge {summary['judge']}",
        f"{'model':40s} {'score':>7s} {'95% CI':>17s} {'normalized':>11s} {'scored':>7s}",
    ]
    for model, s in summary["models"].items():
        norm = "-" if s["mean_normalized"] is None else f"{s['mean_normalized']:.3f}"
        lines.append(
            f"{model:40s} {s['score']:7.3f} [{s['ci95'][0]:.3f}, {s['ci95'][1]:.3f}] {norm:>11s} "
            f"{s['tasks_scored']:>7d}"
        )
    return "\n".join(lines)
