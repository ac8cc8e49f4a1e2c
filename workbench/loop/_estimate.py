"""`workbench run --dry-run`: an upper bound of calls, tokens and cost, from config and documents alone.

Every round is assumed to run in full (no gating, no early acceptance), every
structured call to need its re-ask (which sends the first reply back and may
double `max_tokens`), and every reply to fill its `max_tokens` (4096 where
none is set). Prompts are measured by rendering the real templates with the
real documents, at 3 characters per token. Each side runs its own planned rollouts
(`weak_rollouts`, `strong_rollouts`). Transport retries are not counted: a failed attempt
is not billed. Nor are rounds ending in `error` (they do not count against `max_rounds`)
and evaluations re-run after an infrastructure failure (`retry.evaluations`): both follow a
failure, and an empty answer or an unusable judge reply is the only failure billed. With `final_filter`, each document's (at most one) example
is re-verified once more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.config import RunConfig
from workbench.inputs import Document, PromptSet
from workbench.model import DEFAULT_COMPLETION_CAP, prices

CHARS_PER_TOKEN = 3
REASK_OVERHEAD = 80


@dataclass
class Bound:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    by_role: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, role: str, spec, prompt: int, completion: int, calls: int = 1) -> None:
        self.calls += calls
        self.prompt_tokens += prompt * calls
        self.completion_tokens += completion * calls
        row = self.by_role.setdefault(role, {"calls": 0, "tokens": 0})
        row["calls"] += calls
        row["tokens"] += (prompt + completion) * calls
        per_token = prices(spec)
        if per_token is None or self.cost_usd is None:
            self.cost_usd = None
        else:
            self.cost_usd += calls * (prompt * per_token[0] + completion * per_token[1])


def _tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 8


def _cap(spec) -> int:
    return spec.max_tokens or DEFAULT_COMPLETION_CAP


def _structured(bound: Bound, role: str, spec, prompt: int) -> None:
    """A structured call and its re-ask (first reply sent back, room doubled)."""
    cap = _cap(spec)
    bound.add(role, spec, prompt, cap)
    bound.add(role, spec, prompt + cap + REASK_OVERHEAD, 2 * cap)


def upper_bound(config: RunConfig, documents: list[Document], prompts: PromptSet) -> Bound:
    from workbench.roles import challenger_variables, task_boundary

    bound = Bound()
    models = config.models
    task_cap = 2 * _cap(models.challenger)  # a task is at most one (re-asked) challenger reply
    answer_cap = max(_cap(models.weak), _cap(models.strong))
    rounds = 1 if config.mode == "baseline" else config.max_rounds
    rubric = config.rubric.model_dump()
    for doc in documents:
        for number in range(1, rounds + 1):
            base = prompts.render(
                "challenger",
                **challenger_variables(
                    boundary=task_boundary(config.seed, doc.id, number, "challenger"),
                    doc_id=doc.id,
                    document=doc.text,
                    round=number,
                    max_rounds=config.max_rounds,
                    rubric=rubric,
                    feedback=_no_feedback(),
                ),
            )
            feedback = (number - 1) * (task_cap + 60)
            _structured(bound, "challenger", models.challenger, _tokens(base) + feedback)
            if config.verify:
                _structured(
                    bound,
                    "verifier",
                    models.verifier,
                    _tokens(_template("verifier", prompts)) + task_cap,
                )
            judge_role = "judge_reference" if config.judge_mode == "reference" else "judge"
            for side in ("weak", "strong"):
                spec = getattr(models, side)
                k = config.side_rollouts(side)
                notes = task_cap if side == "strong" and config.strong_sees_reference else 0
                solver_prompt = _tokens(_template(side, prompts)) + task_cap + notes
                bound.add(side, spec, solver_prompt, _cap(spec), calls=k)
                judge_prompt = _tokens(_template(judge_role, prompts)) + task_cap + answer_cap
                judges = k * (
                    config.rubric.max_criteria if config.judge_mode == "per_criterion" else 1
                )
                for judge in models.specs("judge"):
                    for _ in range(judges):
                        _structured(bound, "judge", judge, judge_prompt)
        if config.final_filter and config.filter.verify:  # at most one example per document
            verifier_prompt = _tokens(_template("verifier", prompts)) + task_cap
            _structured(bound, "verifier", models.verifier, verifier_prompt)
    return bound


def _no_feedback() -> dict[str, Any]:
    from workbench.roles import EMPTY

    return EMPTY


def _template(role: str, prompts: PromptSet) -> str:
    """A role's prompt rendered with empty task fields: its fixed overhead."""
    from workbench.roles import SAMPLE_VARIABLES

    key = "solver" if role in ("weak", "strong") else role
    return prompts.render(role, **SAMPLE_VARIABLES[key])


def format_estimate(b: Bound) -> str:
    cost = (
        "unknown (no price for at least one model)" if b.cost_usd is None else f"${b.cost_usd:,.2f}"
    )
    lines = [
        "dry run: nothing was called. Upper bound for this config and these documents:",
        f"  calls              {b.calls:,}",
        f"  prompt tokens      {b.prompt_tokens:,}",
        f"  completion tokens  {b.completion_tokens:,}",
        f"  tokens             {b.prompt_tokens + b.completion_tokens:,}",
        f"  cost               {cost}",
        "  by role: "
        + ", ".join(
            f"{r} {v['calls']:,} calls / {v['tokens']:,} tokens" for r, v in b.by_role.items()
        ),
        "(every round run in full, every structured call re-asked, every reply at max_tokens"
        f" ({DEFAULT_COMPLETION_CAP} where unset); set max_tokens per role for a tighter bound)",
    ]
    return "\n".join(lines)
