"""`audit_judge()`: the configured judge graded on answers of known worth to real tasks.

Every free check first (config, judge name and key, the run directory or documents, prompts,
cache); then, for documents, the challenger writes one task per document; then the judge
grades each task's calibration answers through the loop's own judge role and client (cached,
budgeted, every call recorded). The report goes to judge_audit.json, its calls to
judge_audit_calls.jsonl, and the verdict on record per judge (judge_audits.json)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workbench.audit._answers import calibration_answers
from workbench.audit._metrics import GradedAnswer, figures_report, pass_score
from workbench.audit._registry import audit_entry, record_audit, registry_path
from workbench.audit._source import Source, resolve, source_config
from workbench.audit._tasks import CalibrationTask, task_id
from workbench.config import Models, ModelSpec, RunConfig
from workbench.errors import ConfigError, ModelOutputError, ProviderError, StopRun, WorkbenchError
from workbench.inputs import Document
from workbench.model import Backend, CallCache, ModelClient, check_models, declare, prices
from workbench.model import default_path as default_cache_path
from workbench.model.guards import Budget, CircuitBreaker
from workbench.records import Appender, CallRecord, Tally, write_json_atomic
from workbench.roles import Env, challenge, judge, load_prompts, verdict_scores

REPORT_FILE = "judge_audit.json"
CALLS_FILE = "judge_audit_calls.jsonl"
AUDIT_FORMAT = 1
SIDE = "strong"
"""The loop's judge grades a side's answer; an attack stands in for a strong solver's answer."""


async def audit_judge(
    source: Sequence[str | Path] | None = None,
    config: RunConfig | dict | str | Path | None = None,
    *,
    sets: list[str] | None = None,
    judge_spec: ModelSpec | str | None = None,
    tasks: int | None = None,
    out: str | Path | None = None,
    backend: Backend | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Audit the judge (`judge_spec`, else the config's `models.judge`) on a run directory's
    tasks (`source` = [RUN_DIR]) or on a challenger's tasks from documents (None: the bundled
    examples). Returns the report also written to judge_audit.json (in the run directory, or
    in `out`, default a new `<runs folder>/<time>-audit`)."""
    cfg = source_config(source, config, sets)
    if judge_spec is not None:
        spec = _member(cfg, judge_spec)
        cfg = cfg.model_copy(update={"models": cfg.models.model_copy(update={"judge": spec})})
    elif cfg.models.panel:
        names = ", ".join(s.model for s in cfg.models.specs("judge"))
        raise ConfigError(
            f"models.judge is a panel ({names}): audit one member at a time with --judge MODEL"
        )
    limit = tasks or cfg.audit.tasks
    src = resolve(source, cfg, limit)
    _check(cfg, needs_challenger=src.run_dir is None, http=backend is None)
    prompts = load_prompts(cfg.prompts.model_dump())
    if src.run_dir is None:  # each document fits the challenger's context, or one line
        from workbench.engines import check_fit

        check_fit(src.documents, cfg, prompts)
    folder = src.run_dir if src.run_dir is not None else _new_folder(out)
    _keep_previous(folder)
    say = progress or (lambda line: None)
    tally = Tally()
    calls = Appender(folder / CALLS_FILE, fsync_every_s=1.0)
    client = _client(cfg, calls, tally, backend)
    env = Env(cfg, prompts, client)
    status, stop_reason, skipped = "complete", "", []
    try:
        calibration = src.tasks
        if src.run_dir is None:
            calibration, skipped = await _challenged(env, src.documents)
            if not calibration:
                first = skipped[0]["error"] if skipped else "no document"
                raise WorkbenchError(
                    f"the challenger wrote no usable task from {len(src.documents)} "
                    f"document(s) ({first})"
                )
        say(f"auditing {cfg.models.judge.model} on {len(calibration)} task(s)")
        done = 0

        async def graded(task: CalibrationTask) -> list[GradedAnswer]:
            nonlocal done
            out = await _grade_task(env, task, calibration)
            done += 1
            say(f"task {done}/{len(calibration)} graded: {task.id}")
            return out

        # Every task at once: the client's concurrency limits decide how many calls are in flight.
        per_task = await asyncio.gather(*(graded(t) for t in calibration))
        rows = [row for rows_of_task in per_task for row in rows_of_task]
        if client.stopped is not None:  # budget, circuit breaker, fatal provider error
            status, stop_reason = client.stopped.status, client.stopped.reason
    finally:
        calls.close()
        if client.cache is not None:
            client.cache.close()
        await client.aclose()
    report = _report(cfg, src, prompts, calibration, rows, skipped, tally, status, stop_reason)
    path = folder / REPORT_FILE
    write_json_atomic(path, report)
    if status == "complete":
        record_audit(registry_path(cfg.cache.path), cfg.models.judge, audit_entry(report, path))
    report["path"] = str(path)
    return report


def _member(cfg: RunConfig, judge_spec: str | ModelSpec) -> ModelSpec:
    """`--judge`: a spec, or a model string (a panel member of that model keeps its settings)."""
    if not isinstance(judge_spec, str):
        return judge_spec
    same = [s for s in cfg.models.specs("judge") if s.model == judge_spec]
    return same[0] if same else ModelSpec(model=judge_spec)


def _check(cfg: RunConfig, needs_challenger: bool, http: bool) -> None:
    """The judge (and the challenger, for documents) can be called: known name, key set, its
    api_base accepting connections, a price if budget.usd is set; and the cache opens."""
    roles = ["judge", "challenger"] if needs_challenger else ["judge"]
    if http:  # the preflight checks of a run, for these roles only (the others stay sim)
        used = Models(**{role: getattr(cfg.models, role) for role in roles})
        budget = cfg.budget.model_copy(update={"usd": None})  # prices: below, for these roles
        check_models(cfg.model_copy(update={"models": used, "budget": budget}))
    for role in roles:
        spec = getattr(cfg.models, role)
        if cfg.budget.usd is not None and prices(spec) is None:
            raise ConfigError(
                f"budget.usd needs a price for models.{role} ({spec.model}); set its "
                "input_cost_per_token and output_cost_per_token, or use budget.tokens"
            )
        declare([spec.api_key_env])
    if cfg.cache.enabled:  # opens and passes SQLite's quick_check, or one line (CacheError)
        CallCache(cfg.cache.path or default_cache_path()).close()


def _new_folder(out: str | Path | None) -> Path:
    from workbench.engines import default_run_dir

    folder = Path(out) if out is not None else default_run_dir("audit")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise WorkbenchError(f"{folder} already exists and is not empty; choose another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkbenchError(f"cannot create {folder}: {exc.strerror}") from None
    return folder


def _keep_previous(folder: Path) -> None:
    """An earlier audit in the same folder is kept, renamed judge_audit.N.json (and its calls)."""
    if not (folder / REPORT_FILE).exists():
        return
    n = 1
    while (folder / f"judge_audit.{n}.json").exists():
        n += 1
    (folder / REPORT_FILE).rename(folder / f"judge_audit.{n}.json")
    if (folder / CALLS_FILE).exists():
        (folder / CALLS_FILE).rename(folder / f"judge_audit_calls.{n}.jsonl")


def _client(cfg: RunConfig, calls: Appender, tally: Tally, backend: Backend | None) -> ModelClient:
    def on_call(record: dict[str, Any]) -> None:
        record = CallRecord.model_validate(record).model_dump(mode="json")
        calls.append(record)
        tally.add_call(record)

    path = cfg.cache.path or default_cache_path()
    cache = CallCache(path, check=False) if cfg.cache.enabled else None  # checked in _check
    return ModelClient(
        seed=cfg.seed,
        concurrency=cfg.concurrency,
        on_call=on_call,
        backend=backend,
        cache=cache,
        retry=cfg.retry,
        breaker=CircuitBreaker(cfg.circuit_breaker.window, cfg.circuit_breaker.failure_ratio),
        budget=Budget(cfg.budget.usd, cfg.budget.tokens),
    )


async def _challenged(
    env: Env, documents: list[Document]
) -> tuple[list[CalibrationTask], list[dict[str, str]]]:
    """One challenger task per document (round 1, no feedback); unusable ones are skipped."""

    async def one(doc: Document) -> CalibrationTask | dict[str, str]:
        try:
            task = await challenge(env, doc.id, doc.text, 1, None)
        except (ModelOutputError, ProviderError, StopRun) as exc:
            return {"doc_id": doc.id, "error": " ".join(str(exc).split())[:300]}
        return CalibrationTask(task_id(doc.id, 1), doc.id, 1, task)

    results = await asyncio.gather(*(one(d) for d in documents))
    tasks = [r for r in results if isinstance(r, CalibrationTask)]
    return tasks, [r for r in results if isinstance(r, dict)]


async def _grade_task(
    env: Env, task: CalibrationTask, calibration: list[CalibrationTask]
) -> list[GradedAnswer]:
    """Every calibration answer to one task, graded by the loop's judge (in parallel)."""
    weights = [c.weight for c in task.task.rubric]

    async def one(index: int, kind: str, text: str) -> GradedAnswer:
        try:
            met, flags, _ = await judge(env, SIDE, task.doc_id, task.round, task.task, text, index)
        except StopRun as exc:
            return GradedAnswer(task.id, kind, text, None, error=f"stopped ({exc.status}): {exc}")
        except (ModelOutputError, ProviderError) as exc:
            return GradedAnswer(task.id, kind, text, None, error=" ".join(str(exc).split())[:300])
        score, raw = verdict_scores(weights, met, env.config.judge_mode == "reference")
        return GradedAnswer(task.id, kind, text, round(score, 6), met, flags, round(raw, 6))

    answers = calibration_answers(task, calibration)
    return list(await asyncio.gather(*(one(i, a.kind, a.text) for i, a in enumerate(answers))))


def _report(cfg, src: Source, prompts, calibration, rows, skipped, tally, status, reason):
    from dataclasses import asdict

    spec = cfg.models.judge
    judge_prompt = {"per_criterion": "judge_criterion", "reference": "judge_reference"}.get(
        cfg.judge_mode, "judge"
    )
    figures = figures_report(rows, pass_score(cfg), cfg.audit)
    if status != "complete":
        figures["verdict"] = "incomplete"
    if src.run_dir is not None:
        where: dict[str, Any] = {"run_dir": str(src.run_dir)}
    else:
        where = {
            "documents": [d.id for d in src.documents],
            "challenger": cfg.models.challenger.model,
        }
    return {
        "format_version": AUDIT_FORMAT,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "status": status,
        "stop_reason": reason,
        "judge": {"model": spec.model, "api_base": spec.api_base},
        "judge_mode": cfg.judge_mode,
        "partial_credit": cfg.partial_credit,
        "judge_prompt_sha256": prompts.hashes()[judge_prompt],
        "source": where,
        "tasks": [t.id for t in calibration],
        "skipped": skipped,
        **figures,
        "calls": {
            "calls": tally.calls,
            "cached": tally.cached_calls,
            "errors": tally.call_errors,
            "prompt_tokens": tally.prompt_tokens,
            "completion_tokens": tally.completion_tokens,
            "cost_usd": round(tally.cost_usd, 6) if tally.priced_calls else None,
        },
        "answers": [asdict(r) for r in rows],
    }
