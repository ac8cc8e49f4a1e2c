"""RunConfig: what a run does, validated before any model is called.

Every model is strict (`extra="forbid"`): an unknown key is an error, never
silently ignored. Keys live in environment variables only; a config names the
variable (`api_key_env`), never the value.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from workbench.config._filter import Filter
from workbench.config._model_spec import Models, Strict
from workbench.config._panel import JudgePanel
from workbench.config._thresholds import PRESET_DEFAULTS, Thresholds, resolve_thresholds

MIN_CHUNK_TOKENS = 100
"""Smallest `documents.chunk_tokens`: a section must leave the challenger something to read."""


class Rubric(Strict):
    """What a challenger's rubric may contain."""

    min_criteria: int = Field(default=2, ge=1)
    """Fewest criteria a rubric may have."""
    max_criteria: int = Field(default=10, ge=1)
    """Most criteria a rubric may have."""
    max_weight: int = Field(default=7, ge=1, le=100)
    """Largest absolute criterion weight (published: positive integers up to 7)."""
    allow_negative: bool = False
    """Allow negative weights for criteria that penalise (PRBench style). When false, a
    criterion with a negative weight is dropped (never flipped) and the repair recorded."""
    max_criterion_chars: int = Field(default=500, ge=20, le=100_000)
    """Longest criterion text; a longer one is clipped (with `…`) and the repair recorded.
    Criteria beyond `max_criteria` are dropped, also recorded."""

    @model_validator(mode="after")
    def _ordered(self) -> Rubric:
        if self.min_criteria > self.max_criteria:
            raise ValueError("rubric.min_criteria must be <= rubric.max_criteria")
        return self


class Prompts(Strict):
    """Paths of prompt files replacing the bundled ones, per role."""

    challenger: str | None = None
    """Challenger template path."""
    verifier: str | None = None
    """Quality verifier template path."""
    weak: str | None = None
    """Weak solver template path (default: the shared solver prompt)."""
    strong: str | None = None
    """Strong solver template path (default: the shared solver prompt)."""
    judge: str | None = None
    """Judge template path (all criteria of an answer in one call)."""
    judge_criterion: str | None = None
    """Judge template path for per-criterion judging."""
    judge_reference: str | None = None
    """Judge template path for reference judging (`judge_mode = "reference"`)."""


class Retry(Strict):
    """Retries of failed provider calls (429, 5xx, timeouts, dropped connections)."""

    max_attempts: int = Field(default=6, ge=1, le=50)
    """Attempts per call, the first included."""
    base_s: float = Field(default=1.0, ge=0)
    """First backoff; doubles per attempt, with jitter; never shorter than Retry-After."""
    max_s: float = Field(default=60.0, ge=0)
    """Longest single wait."""
    evaluations: int = Field(default=2, ge=0, le=20)
    """Times a round re-runs its evaluation (the failed solver answers and their grading, on
    the same task) after an infrastructure failure: a solver or judge call that failed after
    its own attempts, an empty answer, a judge reply unusable after its re-ask. Only then does
    the round end as `error`. The challenger is not called again."""


class CircuitBreaker(Strict):
    """Stop the run (resumable) when most recent call attempts fail."""

    window: int = Field(default=30, ge=1)
    """Number of recent call attempts considered."""
    failure_ratio: float = Field(default=0.9, gt=0, le=1)
    """Share of failures in the window that stops the run."""
    max_error_rounds: int = Field(default=10, ge=1)
    """Consecutive rounds ending in `error` (across documents) that stop the run with status
    `failing`: a run where nothing produces an outcome is not `complete`."""


class Budget(Strict):
    """Spend limits; the run stops before a call could exceed them, and can be resumed with more."""

    usd: float | None = Field(default=None, gt=0)
    """Most USD to spend (needs a price for every model)."""
    tokens: int | None = Field(default=None, gt=0)
    """Most tokens (prompt + completion) to spend."""


class Cache(Strict):
    """The call cache: answered requests are never paid for twice."""

    enabled: bool = True
    """Serve repeated requests from the cache (off: --no-cache)."""
    path: str | None = None
    """SQLite file (default: $WORKBENCH_CACHE_DIR, else ~/.cache/workbench, /calls.sqlite)."""


class Efficiency(Strict):
    """Spend only the calls a decision needs (the verdicts are the same either way)."""

    gating: bool = True
    """Weak-first: no strong answers unless the weak side is in range, no solvers after a failed
    verification. Off: the naive loop (everything, every round)."""
    early_stop: bool = True
    """Launch rollouts in waves (1, 1, rest) and stop once the side's outcome cannot change."""


class Ray(Strict):
    """Where and how wide to run with `engine = "ray"`."""

    address: str | None = None
    """Cluster address (`ray://host:10001` or `host:6379`); None starts a local cluster."""
    workers: int | None = Field(default=None, ge=1)
    """Worker actors (default: the cluster's CPU count); each gets 1/workers of concurrency,
    rate limits and budgets."""


class Documents(Strict):
    """How long a document may be, and how long ones are split; checked before any call.
    Token counts are estimated the one way the workbench estimates them (characters / 3)."""

    max_chars: int = Field(default=400_000, ge=1)
    """Longest document read, in characters (was `limits.max_doc_chars`, still accepted)."""
    max_tokens: int | None = Field(default=None, ge=1)
    """Longest document (or section) given to the challenger, in tokens; the challenger's
    context window, when known, less room for its prompt and reply, applies as well.
    None: only the window. A longer document is refused before any call."""
    chunk_tokens: int | None = Field(default=None, ge=MIN_CHUNK_TOKENS)
    """Split every document longer than this many tokens into sections `<id>#s1`, `#s2` ...
    on headings, then blank lines, then sentences; each is a document of its own whose
    records name the `parent`. None: no splitting."""

    @model_validator(mode="after")
    def _chunks_fit(self) -> Documents:
        if self.max_tokens and self.chunk_tokens and self.chunk_tokens > self.max_tokens:
            raise ValueError(
                f"documents.chunk_tokens ({self.chunk_tokens}) must be <= documents.max_tokens "
                f"({self.max_tokens})"
            )
        return self


class Audit(Strict):
    """`workbench audit-judge`: how many calibration tasks, and what the judge must reach to pass.
    An answer counts as passed when its score reaches acceptance.strong_min (what the loop
    requires of a strong answer), or 0.8 when that condition is switched off."""

    tasks: int = Field(default=5, ge=1, le=200)
    """Calibration tasks: a run's rounds (accepted first), or documents given to the challenger."""
    max_false_positive_rate: float = Field(default=0.05, ge=0, le=1)
    """Highest share of one attack's answers the judge may pass (each attack on its own)."""
    min_true_positive_rate: float = Field(default=0.8, ge=0, le=1)
    """Lowest share of the reference answers the judge must pass."""
    max_error_rate: float = Field(default=0.1, ge=0, le=1)
    """Highest share of all answers the judge may leave ungraded (unusable output, failed call)."""


class RunConfig(Strict):
    """Everything that decides what a run does. Written to RUN_DIR/config.json."""

    mode: Literal["agentic", "baseline"] = "agentic"
    """`agentic`: the feedback loop; `baseline`: one single-shot round per document."""
    seed: int = 0
    """Seed for the simulator and per-rollout `seed` parameters."""
    rollouts: int = Field(default=3, ge=1, le=64)
    """Answers per solver per round (both sides, unless `weak_rollouts` / `strong_rollouts`)."""
    weak_rollouts: int | None = Field(default=None, ge=1, le=64)
    """Weak answers per round; None: `rollouts` (or the preset's, see `side_rollouts`)."""
    strong_rollouts: int | None = Field(default=None, ge=1, le=64)
    """Strong answers per round; None: `rollouts` (or the preset's, see `side_rollouts`)."""
    max_rounds: int = Field(default=10, ge=1, le=1000)
    """Rounds per document before giving up."""
    concurrency: int = Field(default=32, ge=1, le=4096)
    """Model calls in flight across the whole run."""
    verify: bool = True
    """Run the quality verifier before any solver."""
    judge_mode: Literal["per_answer", "per_criterion", "reference"] = "per_answer"
    """One judge call per answer (all criteria), one per criterion (PRBench), or `reference`:
    one binary call per answer, correct or not against the task's reference answer (score
    1.0 or 0.0; the `science` preset)."""
    partial_credit: bool = False
    """Judge may give credit in [0, 1] per criterion instead of met / not met."""
    strong_sees_reference: bool = False
    """Give the strong solver the reference answer as notes (privileged mode)."""
    models: Models = Models()
    """Model per role."""
    judge_panel: JudgePanel = JudgePanel()
    """How a judge panel (`models.judge` as a list) is combined and its agreement flagged."""
    acceptance: Thresholds = Thresholds()
    """Preset plus individual threshold overrides."""
    rubric: Rubric = Rubric()
    """Rubric shape rules for the challenger."""
    prompts: Prompts = Prompts()
    """Prompt file overrides per role."""
    documents: Documents = Documents()
    """Document length limits and splitting into sections."""
    efficiency: Efficiency = Efficiency()
    """Gating and early stopping."""
    engine: Literal["local", "ray"] = "local"
    """`local`: one process; `ray`: rounds run on Ray worker actors (pip install -e '.[ray]')."""
    ray: Ray = Ray()
    """Ray engine settings."""
    retry: Retry = Retry()
    """Retry policy for provider failures."""
    circuit_breaker: CircuitBreaker = CircuitBreaker()
    """When to give up on a failing provider."""
    budget: Budget = Budget()
    """Spend limits."""
    cache: Cache = Cache()
    """The call cache."""
    audit: Audit = Audit()
    """What `workbench audit-judge` measures the judge on, and its pass thresholds."""
    final_filter: bool = False
    """Run the final filter (`workbench filter`) at the end of a complete run."""
    filter: Filter = Filter()
    """What the final filter checks (leakage, short contexts, malformed rubrics, re-verification)."""

    @model_validator(mode="before")
    @classmethod
    def _limits_moved(cls, data: Any) -> Any:
        """`limits.max_doc_chars` is now `documents.max_chars`: configs and run directories
        written before still load."""
        if not isinstance(data, dict) or "limits" not in data:
            return data
        data = dict(data)
        limits = data.pop("limits")
        if not isinstance(limits, dict) or set(limits) - {"max_doc_chars"}:
            raise ValueError(
                "`limits` is now `documents` (limits.max_doc_chars: documents.max_chars)"
            )
        if "max_doc_chars" not in limits:
            return data
        documents = data.get("documents") or {}
        if isinstance(documents, BaseModel):
            documents = documents.model_dump(exclude_unset=True)
        documents = dict(documents)
        given = documents.get("max_chars")
        if given is not None and given != limits["max_doc_chars"]:
            raise ValueError(
                "limits.max_doc_chars is now documents.max_chars: set only documents.max_chars"
            )
        data["documents"] = documents | {"max_chars": limits["max_doc_chars"]}
        return data

    @model_validator(mode="before")
    @classmethod
    def _preset_defaults(cls, data: Any) -> Any:
        """The run settings the acceptance preset implies (`PRESET_DEFAULTS`), for the keys the
        config does not set: a side's rollouts when neither `rollouts` nor `<side>_rollouts`
        is given, `judge_mode` and `max_rounds` when not given."""
        if not isinstance(data, dict):
            return data
        acceptance = data.get("acceptance")
        preset = (
            acceptance.get("preset")
            if isinstance(acceptance, dict)
            else getattr(acceptance, "preset", None)
        )
        implied = PRESET_DEFAULTS.get(preset) if isinstance(preset, str) else None
        if not implied:
            return data
        data = dict(data)
        for key, value in implied.items():
            side_key = key in ("weak_rollouts", "strong_rollouts")
            if key in data or (side_key and "rollouts" in data):
                continue
            data[key] = value
        return data

    @model_validator(mode="after")
    def _reference_is_binary(self) -> RunConfig:
        if self.judge_mode == "reference" and self.partial_credit:
            raise ValueError(
                'partial_credit does not apply with judge_mode "reference" (a binary verdict '
                "against the reference answer): set one of them"
            )
        return self

    @model_validator(mode="after")
    def _quorum_fits_the_panel(self) -> RunConfig:
        members = len(self.models.specs("judge"))
        if self.models.panel and self.judge_panel.quorum > members:
            raise ValueError(
                f"judge_panel.quorum ({self.judge_panel.quorum}) is more than the panel's "
                f"{members} members"
            )
        return self

    @property
    def limits(self) -> Any:
        """Deprecated: `limits.max_doc_chars` reads `documents.max_chars` (for code written
        before the `documents` section; new code reads `documents`)."""
        from types import SimpleNamespace

        return SimpleNamespace(max_doc_chars=self.documents.max_chars)

    def side_rollouts(self, side: str) -> int:
        """Rollouts planned per round for `side` (`weak` or `strong`): `<side>_rollouts`, else
        `rollouts`."""
        if side not in ("weak", "strong"):
            raise ValueError(f"unknown side {side!r}")
        given = self.weak_rollouts if side == "weak" else self.strong_rollouts
        return self.rollouts if given is None else given

    def planned_rollouts(self) -> dict[str, int]:
        """Rollouts planned per side, as round records store them: {"weak": k, "strong": n}."""
        return {side: self.side_rollouts(side) for side in ("weak", "strong")}

    def thresholds(self) -> Thresholds:
        """The preset's thresholds with this config's overrides applied."""
        return resolve_thresholds(self.acceptance)

    def resolved(self) -> RunConfig:
        """This config with every threshold and each side's rollouts written out, so it reads
        back identically."""
        return self.model_copy(
            update={
                "acceptance": self.thresholds(),
                "weak_rollouts": self.side_rollouts("weak"),
                "strong_rollouts": self.side_rollouts("strong"),
            }
        )


# ---------------------------------------------------------------------------
# Loading and overriding
