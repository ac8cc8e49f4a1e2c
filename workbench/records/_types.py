"""Typed run records: every line of calls.jsonl, rounds.jsonl and accepted.jsonl, and
summary.json, is one of these, validated when written and when read back.

Run records forbid unknown keys and NaN (model outputs, in `roles`, ignore extra keys). Each
carries `format_version`; records of older formats are upgraded on read (`_upgrade`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbench.records._panel import CriterionAgreement, MemberGrade
from workbench.roles import Criterion, LoopJudgeOutput, QualityCheck, Task

FORMAT_VERSION = 1
"""The run-record format this release writes. 0: unversioned records of workbench 0.1."""

Decision = Literal[
    "accepted",
    "too_easy",
    "too_hard",
    "failed_on_strong",
    "failed_quality",
    "not_significant",
    "improve",
    "error",
]
DECISIONS: tuple[str, ...] = Decision.__args__
"""Every decision kind, in the order tables and charts list them (the one list they all use)."""
Mode = Literal["agentic", "baseline"]
Side = Literal["weak", "strong"]
Score = Field(ge=0, le=1)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    format_version: int = FORMAT_VERSION
    """The record format (see FORMAT_VERSION)."""


class Rollout(Record):
    """One solver answer to a task and how the judge graded it."""

    side: Side
    """`weak` or `strong`."""
    rollout: int = Field(ge=0)
    """Rollout index, 0-based."""
    answer: str
    """The solver's answer text."""
    met: list[float]
    """Per-criterion credit in [0, 1], in rubric order."""
    raw_score: float
    """Σ w·met / Σ positive w (may be negative)."""
    score: float = Score
    """raw_score clipped to [0, 1]; what acceptance uses."""
    flags: list[str] = Field(default_factory=list)
    """Judge output problems that were repaired (skipped criteria, out-of-range credit)."""
    panel: list[MemberGrade] = Field(default_factory=list)
    """With a judge panel: each member's grades (`met` is their combination); else empty."""
    evaluation: int = Field(default=0, ge=0)
    """Which run of the round's evaluation produced it: 0 the first, 1 the first re-run after
    an infrastructure failure (`retry.evaluations`); 0 in older records."""


class Quality(QualityCheck):
    """The quality check as a round records it: the verifier's verdict plus `ok`."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    ok: bool
    """The verdict and every individual check agree that the task passes."""


class LoopJudgeVerdict(LoopJudgeOutput):
    """The loop judge's verdict as a round records it: the model's reply plus `forced`, so a
    stored round can be re-decided without calling a model."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    forced: list[str] = Field(default_factory=list)
    """Why the forced-improve rules sent the question back whatever the verdict (a question
    over `loop_judge.max_question_chars`, a case recap); empty: not forced."""


class RoundRecord(Record):
    """One challenger round on one document: a line of rounds.jsonl."""

    doc_id: str
    """Document identifier (a section's: `<parent>#s<k>`)."""
    parent: str | None = None
    """For a section of a long document (`documents.chunk_tokens`): that document's id."""
    round: int = Field(ge=1)
    """Round number, from 1."""
    mode: Mode
    """`agentic` or `baseline`."""
    task: Task | None
    """The challenger's task (None if the challenger failed)."""
    quality: Quality | None
    """The quality check (None when verification is off or did not run)."""
    weak_scores: list[float] | None
    """Per-rollout weak scores."""
    strong_scores: list[float] | None
    """Per-rollout strong scores (None if the strong solver did not run)."""
    weak_mean: float | None
    """Mean of weak_scores."""
    strong_mean: float | None
    """Mean of strong_scores."""
    gap: float | None
    """strong_mean - weak_mean."""
    p_value: float | None
    """Permutation-test p-value (when the preset tests significance)."""
    decision: Decision
    """accepted, too_easy, too_hard, failed_on_strong, failed_quality, not_significant, improve
    (the loop judge, or a forced-improve rule, sent the question back) or error."""
    reason: str
    """Why, in a line."""
    feedback: str
    """The line this round adds to the challenger's next prompt."""
    weak_rollouts: list[Rollout] = Field(default_factory=list)
    """Weak answers with their grades."""
    strong_rollouts: list[Rollout] = Field(default_factory=list)
    """Strong answers with their grades."""
    decided_after: dict[str, int] = Field(default_factory=dict)
    """How many weak and strong rollouts settled the verdict (the feedback's statistics use these)."""
    rollouts: dict[str, int] = Field(default_factory=dict)
    """Rollouts planned per side, {"weak": k, "strong": n} (`weak_rollouts`,
    `strong_rollouts`); empty in records written before per-side rollouts, whose run planned
    `rollouts` for each side."""
    evaluation_retries: int = Field(default=0, ge=0)
    """Times the round re-ran its evaluation after an infrastructure failure (at most
    `retry.evaluations`); 0 in older records."""
    raw: str | None = None
    """Raw model output that could not be used (error rounds only)."""
    agreement: list[CriterionAgreement] = Field(default_factory=list)
    """With a judge panel: the members' agreement per criterion over this round's answers;
    empty with a single judge (and in records written before panels)."""
    low_agreement: list[int] = Field(default_factory=list)
    """With a judge panel: the criteria (1-based) whose agreement is flagged as low."""
    repairs: list[str] = Field(default_factory=list)
    """Fixes the workbench applied to the challenger's task (dropped negative criteria, clipped
    weights or text, extra criteria dropped): the task's own `repairs`, filled in from it when
    not given (so records written before this field have it too)."""
    loop_judge: LoopJudgeVerdict | None = None
    """The loop judge's verdict, when it was called (a round the thresholds accepted, with the
    loop judge on); None otherwise and in records written before the loop judge."""
    ts: float
    """Unix time the round finished."""

    @model_validator(mode="before")
    @classmethod
    def _repairs_from_task(cls, data: Any) -> Any:
        if isinstance(data, dict) and "repairs" not in data:
            task = data.get("task")
            repairs = (
                task.get("repairs") if isinstance(task, dict) else getattr(task, "repairs", None)
            )
            if repairs:
                data = {**data, "repairs": list(repairs)}
        return data


class Example(Record):
    """An accepted example (in baseline mode: a kept task): a line of accepted.jsonl."""

    id: str
    """Stable id: `<doc_id>#r<round>`."""
    doc_id: str
    """Source document (a section's: `<parent>#s<k>`)."""
    parent: str | None = None
    """For a section of a long document: that document's id."""
    round: int = Field(ge=1)
    """Round that produced it."""
    context: str
    """Task context."""
    question: str
    """Task question."""
    reference_answer: str
    """The challenger's reference answer."""
    question_type: str
    """Kind of question."""
    skills: list[str] = Field(default_factory=list)
    """The reasoning skills the question tests (2-3 tags); empty in records written before."""
    rubric: list[Criterion]
    """Weighted criteria."""
    label: str
    """The best-scoring strong answer."""
    weak_scores: list[float]
    """Per-rollout weak scores."""
    strong_scores: list[float]
    """Per-rollout strong scores."""
    weak_mean: float
    """Mean weak score."""
    strong_mean: float
    """Mean strong score."""
    gap: float
    """strong_mean - weak_mean."""
    p_value: float | None
    """Permutation-test p-value, when the preset tests significance."""
    decision: Decision = "accepted"
    """`accepted`, or in baseline mode what the preset would have decided."""
    repairs: list[str] = Field(default_factory=list)
    """Fixes the workbench applied to the challenger's task (see RoundRecord.repairs); empty in
    records written before this field."""
    ts: float
    """Unix time it was written."""


class CallRecord(Record):
    """One model call (or one retry attempt of it): a line of calls.jsonl."""

    ts: float
    """Unix time the call finished."""
    role: str
    """challenger, verifier, weak, strong, judge, loop_judge (or mutator, eval roles)."""
    model: str
    """The model string called."""
    doc_id: str
    """Document (or eval task) the call belongs to."""
    round: int
    """Round number."""
    rollout: int = Field(ge=0)
    """Rollout index for solver and judge calls, 0 otherwise."""
    side: Side | None
    """For judge calls: whose answer is graded."""
    evaluation: int = Field(default=0, ge=0)
    """Solver and judge calls: which run of the round's evaluation (0 the first, 1 the first
    re-run after an infrastructure failure, see `retry.evaluations`); 0 in older records."""
    reask: int = Field(ge=0)
    """1 for the single re-ask after an unusable reply."""
    attempt: int = Field(ge=0)
    """Retry attempt, from 1 (0 when the reply was served from the cache)."""
    latency_s: float
    """Seconds the call took."""
    prompt_tokens: int | None
    """Prompt tokens the endpoint reported."""
    completion_tokens: int | None
    """Completion tokens the endpoint reported."""
    reasoning_tokens: int | None = None
    """Of the completion tokens, those spent thinking (OpenAI reasoning_tokens, Anthropic
    thinking, Gemini thoughtsTokenCount); None when the endpoint did not say (and in older
    records). Priced as completion tokens unless LiteLLM's price map prices them apart."""
    cached_prompt_tokens: int = Field(default=0, ge=0)
    """Of the prompt tokens, those read from the provider's prompt cache (OpenAI
    `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`); 0 in older
    records."""
    cache_creation_tokens: int = Field(default=0, ge=0)
    """Of the prompt tokens, those written to the provider's prompt cache (Anthropic
    `cache_creation_input_tokens`); 0 in older records."""
    cost_usd: float | None
    """Cost at the model's prices, cache-aware (None when the model has no price)."""
    cache_savings_usd: float | None = None
    """What the cached prompt tokens would have cost at the full input price minus what they
    cost (None: no price, a call-cache hit, or an older record)."""
    cached: bool
    """Served from the call cache (nothing paid)."""
    finish_reason: str | None
    """Why the model stopped (`stop`, `length`, ...)."""
    error: str | None
    """The one-line error of a failed attempt (redacted)."""
    structured_output: str | None = None
    """The structured-output mode the request asked for (`json_schema`, `json_object_schema`,
    `json_object`, `prompt`); None for free-text calls and records older than negotiation."""
    client: Literal["http", "litellm"] | None = None
    """What carried the call: `http` (the lean aiohttp path) or `litellm`; None when nothing was
    sent (a cache hit), for a test backend, and in records older than the choice."""
    stage: Literal["filter"] | None = None
    """`filter` for the final filter's re-verification calls (`workbench filter`); None for the
    loop's calls (and in records older than the filter)."""

    batch: bool = False
    """Carried by a provider batch job (`engine = "batch"`), priced at the batch price."""
    batch_id: str | None = None
    """The provider's id of that batch job (see RUN_DIR/batches.jsonl); None for a direct call."""


class Spend(BaseModel):
    """What a group of calls (a role, a decision kind) spent."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    calls: int
    """Call attempts, call-cache hits included."""
    tokens: int
    """Prompt plus completion tokens of the paid calls (call-cache hits left out)."""
    cached_prompt_tokens: int = 0
    """Of the paid prompt tokens, those read from the provider's prompt cache."""
    cost_usd: float | None
    """USD (None: the run has no prices)."""


class Summary(Record):
    """summary.json: a run's totals (written at the end, recomputed from records if missing)."""

    documents: int
    documents_done: int
    documents_accepted: int
    """Documents with an accepted round."""
    documents_kept: int = 0
    """Documents with an example in accepted.jsonl (baseline: a kept task)."""
    rounds: int
    accepted: int
    """Rounds whose decision is accepted."""
    kept: int = 0
    """Examples written to accepted.jsonl: accepted rounds, and in baseline mode every task
    the strong side solved."""
    mean_rounds_to_accept: float | None
    rounds_per_accepted: float | None
    accepted_weak_mean: float | None
    accepted_strong_mean: float | None
    kept_weak_mean: float | None = None
    kept_strong_mean: float | None = None
    calls: int
    reasks: int
    call_errors: int
    cached_calls: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int = 0
    """Of the completion tokens, those spent thinking (0 in summaries older than the field)."""
    tokens: int
    paid_tokens: int
    cost_usd: float | None
    unpriced_calls: int
    tokens_per_accepted: float | None = None
    """All tokens over accepted rounds (None: nothing accepted, or a summary older than it)."""
    cost_per_accepted: float | None = None
    """USD over accepted rounds (None: nothing accepted or no prices)."""
    cached_prompt_tokens: int = 0
    """Paid prompt tokens read from the provider's prompt cache."""
    cache_creation_tokens: int = 0
    """Paid prompt tokens written to the provider's prompt cache."""
    cache_savings_usd: float | None = None
    """What the cached prompt tokens would have cost at the full input price minus what they
    cost (None: no prices)."""
    spend_by_role: dict[str, Spend] = Field(default_factory=dict)
    """Calls, tokens and cost per role."""
    spend_by_decision: dict[str, Spend] = Field(default_factory=dict)
    """Calls, tokens and cost per decision kind of the round each call was made for
    (`unrecorded`: calls of no recorded round, such as the preflight probe)."""
    decisions: dict[str, int]
    status: str = "incomplete"
    """complete, budget, circuit_breaker, fatal_error, failing (consecutive error rounds),
    cache_error (the call cache could not be written), cancelled (SIGINT), terminated (SIGTERM,
    SIGHUP), io_error (the run directory could not be written), error, repaired (`workbench
    repair` set rounds aside: resume to redo them), or incomplete (recomputed: the run never
    wrote a summary)."""
    stop_reason: str = ""
    wall_s: float | None = None
    retained: int | None = None
    """Examples the final filter retained (filtered.jsonl); None when the run was not filtered."""
    upgraded_from: int | None = Field(default=None, exclude=True)
    """Set on read when the file was of an older format (never written)."""
