"""A role's model: a LiteLLM model string plus how to reach it, checked for credentials."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

ROLES = ("challenger", "verifier", "weak", "strong", "judge")


StructuredMode = Literal[
    "json_schema", "json_object_schema", "guided_json", "json_object", "prompt"
]


LITELLM_ONLY_EXTRA = frozenset(
    {"stream", "num_retries", "fallbacks", "mock_response", "custom_llm_provider", "api_version"}
)
"""`extra` keys only LiteLLM understands: a spec using one keeps `client = "auto"` on LiteLLM."""


def speaks_openai(spec: ModelSpec) -> bool:
    """Whether the lean http path can carry this spec's calls: an `openai/` model at an
    `api_base`, with no `extra` key that only LiteLLM understands. Pure."""
    return (
        spec.model.startswith("openai/")
        and bool(spec.api_base)
        and not (LITELLM_ONLY_EXTRA & set(spec.extra))
    )


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
    structured_output: StructuredMode | None = None
    """How JSON output is requested: OpenAI json_schema, json_object with a schema
    (llama.cpp server), vLLM's guided_json (in extra_body), plain json_object, or the schema
    in the prompt only. None
    (default): negotiated, from json_schema down to whatever the endpoint accepts."""
    input_cost_per_token: float | None = Field(default=None, ge=0)
    """USD per prompt token, for models LiteLLM's price map does not know."""
    output_cost_per_token: float | None = Field(default=None, ge=0)
    """USD per completion token, for models LiteLLM's price map does not know."""
    cache_read_input_token_cost: float | None = Field(default=None, ge=0)
    """USD per prompt token read from the provider's prompt cache (None: LiteLLM's price map,
    else the full input price)."""
    cache_creation_input_token_cost: float | None = Field(default=None, ge=0)
    """USD per prompt token written to the provider's prompt cache (None: LiteLLM's price map,
    else the full input price)."""
    input_cost_per_token_batches: float | None = Field(default=None, ge=0)
    """USD per prompt token of a batch call (None: LiteLLM's price map, else half the input
    price)."""
    output_cost_per_token_batches: float | None = Field(default=None, ge=0)
    """USD per completion token of a batch call (None: LiteLLM's price map, else half the
    output price)."""
    max_concurrency: int | None = Field(default=None, ge=1)
    """Cap on this model's calls in flight (on top of the global `concurrency`)."""
    rpm: float | None = Field(default=None, gt=0)
    """Requests per minute allowed to this model endpoint (None: unlimited)."""
    tpm: float | None = Field(default=None, gt=0)
    """Tokens per minute allowed to this model endpoint, counted on each call's upper bound."""
    extra: dict[str, Any] = Field(default_factory=dict)
    """Further LiteLLM keyword arguments (no secrets: they are written to config.json)."""
    client: Literal["auto", "litellm", "http"] = "auto"
    """How calls are sent. `auto` (default): the lean `http` path for an `openai/` model with
    an `api_base` once the preflight probe has had an answer over it (with `--no-probe`,
    without that confirmation), LiteLLM for everything else. `http`: post straight to the
    OpenAI-compatible `api_base` with aiohttp, skipping LiteLLM (several times less CPU per
    call). `litellm`: LiteLLM for every call (every provider)."""

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


PANEL_TAGS = ("single", "panel")
"""Names pydantic puts in an error's location for the two shapes of `models.judge`."""

JudgeSpec = Annotated[
    Annotated[ModelSpec, Tag("single")] | Annotated[list[ModelSpec], Tag("panel")],
    Discriminator(lambda v: "panel" if isinstance(v, list) else "single"),
]


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
    judge: JudgeSpec = ModelSpec(model="sim/judge", max_tokens=512)
    """Grades answers criterion by criterion, without the reference answer. A list of two or
    more models (best of different families) is a judge panel: every member grades every
    answer and `judge_panel.combine` decides each criterion; a one-element list is that one
    judge."""

    @model_validator(mode="before")
    @classmethod
    def _strings_are_models(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: _spec_or_panel(v) for k, v in data.items()}
        return data

    @field_validator("judge")
    @classmethod
    def _panel_of_distinct_members(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        if not value:
            raise ValueError("a judge panel needs at least one model")
        if len(value) == 1:
            return value[0]
        seen: set[str] = set()
        for spec in value:
            key = spec.model_dump_json()
            if key in seen:
                raise ValueError(
                    f"{spec.model} is listed twice with the same settings: every panel "
                    "member would give the same (cached) grades"
                )
            seen.add(key)
        return value

    def specs(self, role: str) -> list[ModelSpec]:
        """The model(s) behind `role`: one, or a judge panel's members in order."""
        value = getattr(self, role)
        return list(value) if isinstance(value, list) else [value]

    @property
    def panel(self) -> bool:
        """The judge is a panel of two or more models."""
        return isinstance(self.judge, list)


def _spec_or_panel(value: Any) -> Any:
    if isinstance(value, str):
        return {"model": value}
    if isinstance(value, list):
        return [{"model": v} if isinstance(v, str) else v for v in value]
    return value


def role_specs(models: Models) -> list[tuple[str, str, ModelSpec]]:
    """Every model of every role as (where, role, spec): `models.weak`, and for a judge panel
    `models.judge[0]`, `models.judge[1]`... (where = the config path a message names)."""
    out = []
    for role in ROLES:
        specs = models.specs(role)
        for i, spec in enumerate(specs):
            where = f"models.{role}[{i}]" if len(specs) > 1 else f"models.{role}"
            out.append((where, role, spec))
    return out
