"""`workbench run --dry-run`'s `expected` figure: what a run will most likely spend.

Measured figures (`Pilot`) come from a pilot run's records (`measure`) or, without one, from
a prior: the bundled default run on the simulator (`PRIOR`, see `_prior.py`). From them:

- round k of a document is accepted with the pilot's acceptance rate at round k (accepted
  k-th rounds over documents that reached round k); beyond the pilot's last round, with its
  overall rate p (accepted rounds over all rounds: the maximum-likelihood rate when documents
  stop at their first acceptance or at `max_rounds`). A document reaches round k with
  probability w_k = Π_{j<k} (1 - h_j), runs Σ_{k≤R} w_k rounds for R = `max_rounds` (1 in
  baseline mode) and is accepted with probability 1 - w_{R+1}; with the pilot's own
  `max_rounds` this is the pilot's measured rounds per document and share accepted;
- each round makes the pilot's calls per role, solver and judge calls scaled by this config's
  rollouts per side (and judge panel size, and criteria per answer when `judge_mode` differs);
- a challenger prompt is this document's rendered prompt (at 4 characters per token) plus
  the pilot's feedback growth per round; other calls take the pilot's tokens per call;
- cost is at each model's prices (`price_table`), with the pilot's share of prompt tokens read
  from (and written to) the provider's cache, and batch prices when `engine = "batch"`.

Pure: no model is called, nothing is read here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from workbench.config import RunConfig
from workbench.inputs import Document, PromptSet
from workbench.model import price_table

CHARS_PER_TOKEN = 4
"""What an English prompt averages per token (and what the simulator counts)."""

KINDS = ("challenger", "verifier", "weak", "strong", "judge:weak", "judge:strong")
"""The call kinds measured apart: judge calls by the side they grade."""


@dataclass(frozen=True)
class Usage:
    """One call kind's measured rates."""

    calls_per_round: float
    """Call attempts per round (re-asks and failed attempts included)."""
    prompt_tokens: float
    """Prompt tokens per answered call."""
    completion_tokens: float
    """Completion tokens per answered call."""
    cached_share: float = 0.0
    """Share of prompt tokens read from the provider's prompt cache."""
    creation_share: float = 0.0
    """Share of prompt tokens written to the provider's prompt cache."""


@dataclass(frozen=True)
class Pilot:
    """What a pilot run measured, as rates that scale to another config and document set."""

    source: str
    """Where the figures come from (a run directory, or the prior's description)."""
    documents: int
    rounds: int
    accepted: int
    usage: dict[str, Usage]
    """Per call kind (`KINDS`)."""
    rollouts: dict[str, int]
    """Rollouts per side in the pilot's config."""
    judges: int = 1
    """Judge panel size in the pilot."""
    judge_mode: str = "per_answer"
    criteria: float = 10.0
    """Mean criteria per rubric in the pilot's tasks."""
    feedback_tokens_per_round: float = 0.0
    """How much a challenger prompt grows per earlier round (feedback)."""
    hazards: tuple[float, ...] = ()
    """Acceptance rate at round 1, 2, ... (accepted k-th rounds / documents reaching round k)."""
    prior: bool = False
    """True: not measured on this project's models, a documented prior."""

    @property
    def accept_rate(self) -> float:
        """Per-round acceptance rate p."""
        return self.accepted / self.rounds if self.rounds else 0.0


@dataclass
class Expected:
    documents: int = 0
    rounds: float = 0.0
    accepted: float = 0.0
    calls: float = 0.0
    prompt_tokens: float = 0.0
    completion_tokens: float = 0.0
    cached_prompt_tokens: float = 0.0
    cost_usd: float | None = 0.0
    batch: bool = False
    by_role: dict[str, dict[str, float]] = field(default_factory=dict)
    pilot: Pilot | None = None

    @property
    def tokens(self) -> float:
        return self.prompt_tokens + self.completion_tokens


def round_weights(pilot: Pilot, max_rounds: int) -> tuple[list[float], float]:
    """(P(round k is run) for k = 1..max_rounds, P(a document is accepted))."""
    weights, reach = [], 1.0
    for k in range(max_rounds):
        weights.append(reach)
        rate = pilot.hazards[k] if k < len(pilot.hazards) else pilot.accept_rate
        reach *= 1.0 - rate
    return weights, 1.0 - reach


def _rollouts(config: RunConfig, side: str) -> int:
    per_side = getattr(config, "side_rollouts", None)  # per-side rollouts, where configured
    return int(per_side(side)) if callable(per_side) else config.rollouts


def _scale(config: RunConfig, pilot: Pilot, kind: str) -> float:
    """This config's calls of `kind` per round against the pilot's."""
    if kind == "verifier":
        return 1.0 if config.verify else 0.0
    if kind == "challenger":
        return 1.0
    side = kind.split(":")[-1]
    scale = _rollouts(config, side) / max(1, pilot.rollouts.get(side, 1))
    if kind.startswith("judge"):
        scale *= len(config.models.specs("judge")) / max(1, pilot.judges)
        if config.judge_mode != pilot.judge_mode:
            per_answer = pilot.criteria if config.judge_mode == "per_criterion" else 1.0
            was = pilot.criteria if pilot.judge_mode == "per_criterion" else 1.0
            scale *= per_answer / was
    return scale


def expected(
    config: RunConfig,
    documents: list[Document],
    prompts: PromptSet,
    pilot: Pilot,
    fallback: Pilot | None = None,
    batch: bool | None = None,
) -> Expected:
    """The expected calls, tokens and cost of `config` over `documents` (see the module).
    `fallback` supplies a call kind the pilot did not make (a verifier it skipped); `batch`
    prices calls at batch prices (None: when `engine = "batch"`)."""
    if batch is None:
        batch = getattr(config, "engine", "local") == "batch"
    out = Expected(documents=len(documents), batch=batch, pilot=pilot)
    max_rounds = 1 if config.mode == "baseline" else config.max_rounds
    weights, accepted = round_weights(pilot, max_rounds)
    rounds_per_doc = sum(weights)
    out.rounds = rounds_per_doc * len(documents)
    out.accepted = accepted * len(documents)
    growth = pilot.feedback_tokens_per_round * sum(w * k for k, w in enumerate(weights))
    per_role: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for kind in KINDS:
        usage = pilot.usage.get(kind)
        if (usage is None or not usage.calls_per_round) and fallback is not None:
            usage = fallback.usage.get(kind)  # not measured in the pilot (no verifier run)
        if usage is None:
            continue
        calls = usage.calls_per_round * _scale(config, pilot, kind) * out.rounds
        if not calls:
            continue
        if kind == "challenger":
            chars = sum(len(challenger_prompt(config, prompts, d, 1)) for d in documents)
            base = chars / CHARS_PER_TOKEN
            prompt = (base * rounds_per_doc + growth * len(documents)) * usage.calls_per_round
        else:
            prompt = calls * usage.prompt_tokens
        completion = calls * usage.completion_tokens
        role = kind.split(":")[0]
        row = per_role[role]
        row["calls"] += calls
        row["tokens"] += prompt + completion
        out.calls += calls
        out.prompt_tokens += prompt
        out.completion_tokens += completion
        out.cached_prompt_tokens += prompt * usage.cached_share
        out.cost_usd = _add_cost(out.cost_usd, config, role, prompt, completion, usage, batch)
    out.by_role = {k: dict(v) for k, v in per_role.items()}
    return out


def challenger_prompt(config: RunConfig, prompts: PromptSet, doc: Document, number: int) -> str:
    """The challenger's prompt for `doc` at round `number`, without feedback (rendered as
    `upper_bound` renders it)."""
    from workbench.roles import EMPTY, challenger_variables, task_boundary

    return prompts.render(
        "challenger",
        **challenger_variables(
            boundary=task_boundary(config.seed, doc.id, number, "challenger"),
            doc_id=doc.id,
            document=doc.text,
            round=number,
            max_rounds=config.max_rounds,
            rubric=config.rubric.model_dump(),
            feedback=EMPTY,
        ),
    )


def _add_cost(
    total: float | None,
    config: RunConfig,
    role: str,
    prompt: float,
    completion: float,
    usage: Usage,
    batch: bool,
) -> float | None:
    if total is None:
        return None
    specs = config.models.specs(role)
    share = 1.0 / len(specs)  # a panel's members grade every answer: the calls split evenly
    for spec in specs:
        p = price_table(spec, batch)
        if p is None:
            return None
        fresh = 1.0 - usage.cached_share - usage.creation_share
        per_prompt = (
            fresh * p.input
            + usage.cached_share * p.cache_read
            + usage.creation_share * p.cache_creation
        )
        total += share * (prompt * per_prompt + completion * p.output)
    return total


def measure(
    calls: list[dict[str, Any]],
    rounds: list[dict[str, Any]],
    config: dict[str, Any],
    source: str,
    documents: int | None = None,
) -> Pilot:
    """A pilot run's rates from its call and round records and its config (as config.json
    holds it). Probe calls and calls of no recorded round are left out."""
    recorded = {(r["doc_id"], r["round"]) for r in rounds}
    n_rounds = len(recorded)
    counts: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    base: dict[str, int] = {}
    growth = [0.0, 0.0]
    ordered = sorted(calls, key=lambda c: (c["doc_id"], c["round"]))
    for c in ordered:
        if (c["doc_id"], c["round"]) not in recorded:
            continue
        kind = f"judge:{c.get('side') or 'weak'}" if c["role"] == "judge" else c["role"]
        if kind not in KINDS:
            continue
        row = counts[kind]
        row[0] += 1
        if c.get("prompt_tokens") is None or c.get("error"):
            continue
        row[1] += 1
        row[2] += c["prompt_tokens"]
        row[3] += c.get("completion_tokens") or 0
        row[4] += c.get("cached_prompt_tokens") or 0
        row[5] += c.get("cache_creation_tokens") or 0
        if kind == "challenger" and not c.get("reask"):
            if c["round"] == 1:
                base[c["doc_id"]] = c["prompt_tokens"]
            elif c["doc_id"] in base:
                growth[0] += c["prompt_tokens"] - base[c["doc_id"]]
                growth[1] += c["round"] - 1
    usage = {
        kind: Usage(
            calls_per_round=row[0] / n_rounds if n_rounds else 0.0,
            prompt_tokens=row[2] / row[1] if row[1] else 0.0,
            completion_tokens=row[3] / row[1] if row[1] else 0.0,
            cached_share=row[4] / row[2] if row[2] else 0.0,
            creation_share=row[5] / row[2] if row[2] else 0.0,
        )
        for kind, row in counts.items()
    }
    reached: dict[int, int] = defaultdict(int)
    taken: dict[int, int] = defaultdict(int)
    for _, number in recorded:
        reached[number] += 1
    for r in rounds:
        taken[r["round"]] += r["decision"] == "accepted"
    last = max(reached, default=0)
    hazards = tuple(taken[k] / reached[k] if reached[k] else 0.0 for k in range(1, last + 1))
    rubric_sizes = [len(r["task"]["rubric"]) for r in rounds if r.get("task")]
    judge = config.get("models", {}).get("judge")
    rollouts = config.get("rollouts", 3)
    side = {
        s: config.get(f"{s}_rollouts") or rollouts for s in ("weak", "strong")
    }  # per-side rollouts where the config has them
    return Pilot(
        source=source,
        documents=documents if documents is not None else len({r["doc_id"] for r in rounds}),
        rounds=n_rounds,
        accepted=sum(r["decision"] == "accepted" for r in rounds),
        usage=usage,
        rollouts=side,
        judges=len(judge) if isinstance(judge, list) else 1,
        judge_mode=config.get("judge_mode", "per_answer"),
        criteria=sum(rubric_sizes) / len(rubric_sizes) if rubric_sizes else 10.0,
        feedback_tokens_per_round=growth[0] / growth[1] if growth[1] else 0.0,
        hazards=hazards,
    )


def format_expected(e: Expected) -> str:
    """The `expected` block of a dry run's output."""
    pilot = e.pilot
    assert pilot is not None
    if pilot.prior:
        where = (
            f"a prior: {pilot.source}; pass --pilot RUN_DIR (a small run of your own models) "
            "for figures of your own"
        )
    else:
        where = (
            f"the pilot run {pilot.source}: {pilot.rounds} rounds, {pilot.accepted} accepted, "
            f"{pilot.accept_rate:.1%} of rounds accepted"
        )
    if e.cost_usd is None:
        cost = "unknown (no price for at least one model)"
    else:
        cost = f"${e.cost_usd:,.2f}"
        notes = []
        if e.cached_prompt_tokens:
            notes.append("cache discount at the pilot's cached share")
        if e.batch:
            notes.append("batch prices")
        if notes:
            cost += f" ({', '.join(notes)})"
    per_doc = e.rounds / e.documents if e.documents else 0.0
    share = e.cached_prompt_tokens / e.prompt_tokens if e.prompt_tokens else 0.0
    lines = [
        f"expected (from {where}):",
        f"  rounds             {e.rounds:,.0f} ({per_doc:.1f} per document)",
        f"  accepted           {e.accepted:,.1f} of {e.documents} documents",
        f"  calls              {e.calls:,.0f}",
        f"  prompt tokens      {e.prompt_tokens:,.0f} ({share:.0%} read from the provider's cache)",
        f"  completion tokens  {e.completion_tokens:,.0f}",
        f"  tokens             {e.tokens:,.0f}",
        f"  cost               {cost}",
        "  by role: "
        + ", ".join(
            f"{r} {v['calls']:,.0f} calls / {v['tokens']:,.0f} tokens" for r, v in e.by_role.items()
        ),
    ]
    return "\n".join(lines)
