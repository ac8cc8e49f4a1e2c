"""Cost of a call: the model spec's own prices, else LiteLLM's local price map, else None.

Prompt tokens read from the provider's prompt cache are priced at its cache-read price and
tokens written to it at its cache-write price (LiteLLM's `cache_read_input_token_cost` and
`cache_creation_input_token_cost`, or the spec's own); a model with no such price is charged
the full input price for them (an over-estimate, never a guess below the bill). A batch call
(`batch=True`) is priced at the batch prices (`*_batches` keys), else at half the price.

Reasoning tokens are part of the completion tokens and priced as such, unless the price map
gives them a price of their own (`output_cost_per_reasoning_token`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workbench.config import ModelSpec

BATCH_DISCOUNT = 0.5
"""A batch call's price against the synchronous one where the price map has no batch price
(what OpenAI's and Anthropic's batch APIs charge)."""


@dataclass(frozen=True)
class Prices:
    """USD per token of each kind, for one model (synchronous or batch calls)."""

    input: float
    """A prompt token neither read from nor written to the provider's prompt cache."""
    output: float
    """A completion token."""
    cache_read: float
    """A prompt token read from the provider's prompt cache."""
    cache_creation: float
    """A prompt token written to the provider's prompt cache."""
    reasoning: float | None = None
    """A reasoning token, when priced apart from completion tokens (None: as completion)."""


def price_table(spec: ModelSpec, batch: bool = False) -> Prices | None:
    """The prices one call of `spec` is charged at (None: unknown)."""
    base = prices(spec)
    if base is None:
        return None
    own = spec.input_cost_per_token is not None and spec.output_cost_per_token is not None
    info = {} if own else _info(spec.model)
    read = _first(spec.cache_read_input_token_cost, info.get("cache_read_input_token_cost"))
    made = _first(spec.cache_creation_input_token_cost, info.get("cache_creation_input_token_cost"))
    sync = Prices(
        input=base[0],
        output=base[1],
        cache_read=base[0] if read is None else read,
        cache_creation=base[0] if made is None else made,
        reasoning=reasoning_price(spec),
    )
    if not batch:
        return sync
    return _batch(spec, sync, info)


def _batch(spec: ModelSpec, sync: Prices, info: dict[str, float]) -> Prices:
    """Batch prices: the spec's or the price map's `*_batches` keys; else the synchronous
    price scaled as the batch input price is (half where nothing says otherwise)."""
    batch_in = _first(spec.input_cost_per_token_batches, info.get("input_cost_per_token_batches"))
    batch_out = _first(
        spec.output_cost_per_token_batches, info.get("output_cost_per_token_batches")
    )
    batch_in = sync.input * BATCH_DISCOUNT if batch_in is None else batch_in
    batch_out = sync.output * BATCH_DISCOUNT if batch_out is None else batch_out
    scale = batch_in / sync.input if sync.input else BATCH_DISCOUNT
    read = info.get("cache_read_input_token_cost_batches")
    made = info.get("cache_creation_input_token_cost_batches")
    return Prices(
        input=batch_in,
        output=batch_out,
        cache_read=sync.cache_read * scale if read is None else read,
        cache_creation=sync.cache_creation * scale if made is None else made,
        reasoning=None if sync.reasoning is None else sync.reasoning * BATCH_DISCOUNT,
    )


def cost_usd(
    spec: ModelSpec,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    reasoning_tokens: int | None = None,
    cached_prompt_tokens: int = 0,
    cache_creation_tokens: int = 0,
    batch: bool = False,
) -> float | None:
    """USD for one call, or None (never 0) when the price is unknown. `cached_prompt_tokens`
    and `cache_creation_tokens` are part of `prompt_tokens` (as calls.jsonl counts them)."""
    if prompt_tokens is None or completion_tokens is None:
        return None
    p = price_table(spec, batch)
    if p is None:
        return None
    read = min(cached_prompt_tokens or 0, prompt_tokens)
    made = min(cache_creation_tokens or 0, prompt_tokens - read)
    cost = (
        (prompt_tokens - read - made) * p.input
        + read * p.cache_read
        + made * p.cache_creation
        + completion_tokens * p.output
    )
    if reasoning_tokens and p.reasoning is not None:
        cost += min(reasoning_tokens, completion_tokens) * (p.reasoning - p.output)
    return cost


def cache_savings_usd(
    spec: ModelSpec, cached_prompt_tokens: int, cache_creation_tokens: int = 0, batch: bool = False
) -> float | None:
    """What the cached prompt tokens would have cost at the full input price minus what they
    cost: reads save, writes (dearer than input on Anthropic) give some back. None: no price;
    0.0 when nothing was read from or written to the cache."""
    if not cached_prompt_tokens and not cache_creation_tokens:
        return 0.0
    p = price_table(spec, batch)
    if p is None:
        return None
    return cached_prompt_tokens * (p.input - p.cache_read) + cache_creation_tokens * (
        p.input - p.cache_creation
    )


def prices(spec: ModelSpec) -> tuple[float, float] | None:
    """(USD per prompt token, USD per completion token), or None if unknown."""
    if spec.input_cost_per_token is not None and spec.output_cost_per_token is not None:
        return spec.input_cost_per_token, spec.output_cost_per_token
    return _price_map_entry(spec.model)


def reasoning_price(spec: ModelSpec) -> float | None:
    """USD per reasoning token when LiteLLM's price map prices them apart from completion
    tokens (None: priced as completion tokens; always None with the spec's own prices)."""
    if spec.input_cost_per_token is not None and spec.output_cost_per_token is not None:
        return None
    return _reasoning_entry(spec.model)


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


@lru_cache(maxsize=256)
def _price_map_entry(model: str) -> tuple[float, float] | None:
    if model.startswith(("sim/", "local/")):
        return None
    from workbench.model.backends import get_litellm

    litellm = get_litellm()
    try:
        # A short call's price: a million tokens would be priced at long-context tiers
        # (Gemini 2.5 Pro, Claude Sonnet 4.5 charge more above 200k prompt tokens).
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model, prompt_tokens=_SAMPLE, completion_tokens=_SAMPLE
        )
    except Exception:
        return None
    return prompt_cost / _SAMPLE, completion_cost / _SAMPLE


_SAMPLE = 1000

_CACHE_KEYS = (
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "cache_read_input_token_cost_batches",
    "cache_creation_input_token_cost_batches",
    "output_cost_per_reasoning_token",
)


@lru_cache(maxsize=256)
def _info(model: str) -> dict[str, float]:
    """The price map's cache, batch and reasoning prices for `model` (positive numbers only)."""
    if model.startswith(("sim/", "local/")):
        return {}
    from workbench.model.backends import get_litellm

    try:
        info: dict[str, Any] = dict(get_litellm().get_model_info(model))
    except Exception:
        return {}
    return {
        k: float(info[k])
        for k in _CACHE_KEYS
        if isinstance(info.get(k), int | float) and not isinstance(info[k], bool) and info[k] > 0
    }


def _reasoning_entry(model: str) -> float | None:
    return _info(model).get("output_cost_per_reasoning_token")


def reply_cost(
    spec: ModelSpec, reply: Any, batch: bool = False
) -> tuple[float | None, float | None]:
    """(cost_usd, cache_savings_usd) of a paid call's `Reply` (each None: no price)."""
    cost = cost_usd(
        spec,
        reply.prompt_tokens,
        reply.completion_tokens,
        reply.reasoning_tokens,
        reply.cached_prompt_tokens,
        reply.cache_creation_tokens,
        batch,
    )
    if cost is None:
        return None, None
    return cost, cache_savings_usd(
        spec, reply.cached_prompt_tokens, reply.cache_creation_tokens, batch
    )
