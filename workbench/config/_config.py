"""RunConfig: what a run does, validated before any model is called.

Every model is strict (`extra="forbid"`): an unknown key is an error, never
silently ignored. Keys live in environment variables only; a config names the
variable (`api_key_env`), never the value.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workbench.config._thresholds import Thresholds, check_reachable, resolve_thresholds
from workbench.errors import ConfigError

ROLES = ("challenger", "verifier", "weak", "strong", "judge")
StructuredMode = Literal["json_schema", "json_object_schema", "json_object", "prompt"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSpec(Strict):
    """One role's model: a LiteLLM model string plus how to reach it."""

    model: str = Field(min_length=1)
    """LiteLLM model string, e.g. `openai/gpt-4o-mini` or `sim/weak`."""
    api_base: str | None = None
    """Base URL of an OpenAI-compatible server (vLLM, llama.cpp, Ollama...)."""
    api_key_env: str | None = None
    """Name of the environment variable holding the key (never the key itself)."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """Sampling temperature; None leaves the provider default."""
    max_tokens: int | None = Field(default=None, ge=1)
    """Completion token cap; None leaves the provider default."""
    timeout_s: float = Field(default=120.0, gt=0)
    """Per-call timeout in seconds."""
    structured_output: StructuredMode = "json_schema"
    """How JSON output is requested: OpenAI json_schema, json_object with a schema
    (llama.cpp server), plain json_object, or the schema in the prompt only."""
    input_cost_per_token: float | None = Field(default=None, ge=0)
    """USD per prompt token, for models LiteLLM's price map does not know."""
    output_cost_per_token: float | None = Field(default=None, ge=0)
    """USD per completion token, for models LiteLLM's price map does not know."""
    max_concurrency: int | None = Field(default=None, ge=1)
    """Cap on this model's calls in flight (on top of the global `concurrency`)."""
    rpm: float | None = Field(default=None, gt=0)
    """Requests per minute allowed to this model endpoint (None: unlimited)."""
    tpm: float | None = Field(default=None, gt=0)
    """Tokens per minute allowed to this model endpoint, counted on each call's upper bound."""
    extra: dict[str, Any] = Field(default_factory=dict)
    """Further LiteLLM keyword arguments (no secrets: they are written to config.json)."""
    client: Literal["litellm", "http"] = "litellm"
    """`http`: post straight to an OpenAI-compatible `api_base` (an `openai/` model) with
    aiohttp, skipping LiteLLM; several times less CPU per call. `litellm`: every provider."""

    @model_validator(mode="after")
    def _http_needs_an_openai_endpoint(self) -> ModelSpec:
        if self.client == "http" and not (self.model.startswith("openai/") and self.api_base):
            raise ValueError(
                f"client 'http' needs an openai/ model with an api_base (got {self.model!r})"
            )
        return self

    @field_validator("extra")
    @classmethod
    def _no_secret_kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        from workbench.config._credentials import secret_like_names

        banned = {"api_key", "api_base", "base_url", "model", "messages"} & set(value)
        if banned:
            raise ValueError(f"{sorted(banned)} cannot go in `extra` (keys come from api_key_env)")
        secret = secret_like_names(value)
        if secret:
            raise ValueError(
                f"`extra` looks like it holds a credential ({', '.join(secret)}); configs are "
                "written to every run directory: put the key in an environment variable and "
                "name it in api_key_env"
            )
        return value

    @field_validator("api_base")
    @classmethod
    def _usable_endpoint(cls, value: str | None) -> str | None:
        from workbench.config._credentials import url_problem

        problem = url_problem(value) if value is not None else None
        if problem:
            raise ValueError(f"api_base {problem}")
        return value


class Models(Strict):
    """The model behind each of the five roles (defaults: the offline simulator, with
    completion caps well above what it writes, so dry-run bounds stay meaningful)."""

    challenger: ModelSpec = ModelSpec(model="sim/challenger", max_tokens=2048)
    """Writes the task: context, question, reference answer, rubric."""
    verifier: ModelSpec = ModelSpec(model="sim/verifier", max_tokens=256)
    """Checks a task for leakage, uncheckable criteria and solver instructions."""
    weak: ModelSpec = ModelSpec(model="sim/weak", max_tokens=512)
    """The model to be trained; sees context and question only."""
    strong: ModelSpec = ModelSpec(model="sim/strong", max_tokens=512)
    """A stronger model (or the same one with privileged information)."""
    judge: ModelSpec = ModelSpec(model="sim/judge", max_tokens=512)
    """Grades answers criterion by criterion, without the reference answer."""

    @model_validator(mode="before")
    @classmethod
    def _strings_are_models(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: ({"model": v} if isinstance(v, str) else v) for k, v in data.items()}
        return data


class Rubric(Strict):
    """What a challenger's rubric may contain."""

    min_criteria: int = Field(default=2, ge=1)
    """Fewest criteria a rubric may have."""
    max_criteria: int = Field(default=10, ge=1)
    """Most criteria a rubric may have."""
    max_weight: int = Field(default=7, ge=1, le=100)
    """Largest absolute criterion weight (published: positive integers up to 7)."""
    allow_negative: bool = False
    """Allow negative weights for criteria that penalise (PRBench style)."""

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


class Retry(Strict):
    """Retries of failed provider calls (429, 5xx, timeouts, dropped connections)."""

    max_attempts: int = Field(default=6, ge=1, le=50)
    """Attempts per call, the first included."""
    base_s: float = Field(default=1.0, ge=0)
    """First backoff; doubles per attempt, with jitter; never shorter than Retry-After."""
    max_s: float = Field(default=60.0, ge=0)
    """Longest single wait."""


class CircuitBreaker(Strict):
    """Stop the run (resumable) when most recent call attempts fail."""

    window: int = Field(default=30, ge=1)
    """Number of recent call attempts considered."""
    failure_ratio: float = Field(default=0.9, gt=0, le=1)
    """Share of failures in the window that stops the run."""


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


class Limits(Strict):
    """Input limits checked before any call."""

    max_doc_chars: int = Field(default=400_000, ge=1)
    """Longest document accepted, in characters (about 100k tokens)."""


class RunConfig(Strict):
    """Everything that decides what a run does. Written to RUN_DIR/config.json."""

    mode: Literal["agentic", "baseline"] = "agentic"
    """`agentic`: the feedback loop; `baseline`: one single-shot round per document."""
    seed: int = 0
    """Seed for the simulator and per-rollout `seed` parameters."""
    rollouts: int = Field(default=3, ge=1, le=64)
    """Answers per solver per round."""
    max_rounds: int = Field(default=10, ge=1, le=1000)
    """Rounds per document before giving up."""
    concurrency: int = Field(default=32, ge=1, le=4096)
    """Model calls in flight across the whole run."""
    verify: bool = True
    """Run the quality verifier before any solver."""
    judge_mode: Literal["per_answer", "per_criterion"] = "per_answer"
    """One judge call per answer (all criteria), or one per criterion (PRBench)."""
    partial_credit: bool = False
    """Judge may give credit in [0, 1] per criterion instead of met / not met."""
    strong_sees_reference: bool = False
    """Give the strong solver the reference answer as notes (privileged mode)."""
    models: Models = Models()
    """Model per role."""
    acceptance: Thresholds = Thresholds()
    """Preset plus individual threshold overrides."""
    rubric: Rubric = Rubric()
    """Rubric shape rules for the challenger."""
    prompts: Prompts = Prompts()
    """Prompt file overrides per role."""
    limits: Limits = Limits()
    """Input limits."""
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

    def thresholds(self) -> Thresholds:
        """The preset's thresholds with this config's overrides applied."""
        return resolve_thresholds(self.acceptance)

    def resolved(self) -> RunConfig:
        """This config with every threshold written out, so it reads back identically."""
        return self.model_copy(update={"acceptance": self.thresholds()})


# ---------------------------------------------------------------------------
# Loading and overriding


def load_config(
    path: str | Path | None = None,
    sets: list[str] | None = None,
    base: RunConfig | dict | None = None,
) -> RunConfig:
    """Build a RunConfig from a file (JSON/TOML/YAML), `--set KEY=VALUE` pairs, or both."""
    if isinstance(base, RunConfig):
        data: dict[str, Any] = base.model_dump(exclude_unset=True)
    else:
        data = dict(base or {})
    if path is not None:
        data = deep_merge(data, _read_config_file(Path(path)))
    for item in sets or []:
        key, value = parse_set(item)
        _set_dotted(data, key, value)
    return validate_config(data)


def validate_config(data: dict[str, Any]) -> RunConfig:
    """Validate a plain dict, turning pydantic's report into one clear line."""
    from pydantic import ValidationError

    try:
        config = RunConfig.model_validate(data)
        check_reachable(config.thresholds(), config.rollouts)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    except ValueError as exc:
        raise ConfigError(f"config: {exc}") from None
    return config


def parse_set(item: str) -> tuple[str, Any]:
    """`acceptance.weak_max=0.4` -> ("acceptance.weak_max", 0.4); values are JSON when they parse."""
    if "=" not in item:
        raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set has an empty key in {item!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        in_models = depth == 1 and parts[0] == "models" and part in ROLES
        if isinstance(child, str) and in_models:
            child = {"model": child}
        if child is None and in_models:
            child = getattr(Models(), part).model_dump(exclude_defaults=True)
        if not isinstance(child, dict):
            child = {}
        node[part] = child
        node = child
    node[parts[-1]] = value


def deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read as UTF-8 text: {exc}") from None
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = _load_yaml(text, path)
        else:
            data = json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    base = path.parent
    for role, value in (data.get("prompts") or {}).items():
        if isinstance(value, str) and not Path(value).is_absolute():
            data["prompts"][role] = str(base / value)
    return data


def _load_yaml(text: str, path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(f"{path}: YAML configs need PyYAML (pip install pyyaml)") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None


def _one_line(exc: Any) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    if err["type"] == "extra_forbidden" and loc.endswith("api_key"):
        return f"config: {loc}: keys never go in a config; set api_key_env to the variable's name"
    if err["type"] == "extra_forbidden":
        parent = loc.rsplit(".", 1)[0] if "." in loc else ""
        known = _known_keys(parent)
        hint = f" (known: {', '.join(known)})" if known else ""
        what = "role" if parent == "models" or parent == "prompts" else "config key"
        return f"config: unknown {what} '{loc}'{hint}"
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    secret = "credential" in msg or "key" in msg  # never echo what may be a key
    shown = "" if isinstance(got, dict | list) or got is None or secret else f" (got {got!r})"
    return f"config: {loc + ': ' if loc else ''}{msg}{shown}"


def _known_keys(dotted: str) -> list[str]:
    model: Any = RunConfig
    for part in [p for p in dotted.split(".") if p]:
        field = model.model_fields.get(part)
        if field is None or not isinstance(field.annotation, type):
            return []
        model = field.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []
