"""Cost of a call: the model spec's own prices, else LiteLLM's local price map, else None.

Reasoning tokens are part of the completion tokens and priced as such, unless the price map
gives them a price of their own (`output_cost_per_reasoning_token`).

`batch=True`: a reply from a provider batch job, at the batch price: the price map's
`input_cost_per_token_batches` / `output_cost_per_token_batches` where it has them, else
half the price (what OpenAI and Anthropic charge for batches)."""

from __future__ import annotations

from functools import lru_cache

from workbench.config import ModelSpec


def cost_usd(
    spec: ModelSpec,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    reasoning_tokens: int | None = None,
    batch: bool = False,
) -> float | None:
    """USD for one call, or None (never 0) when the price is unknown."""
    if prompt_tokens is None or completion_tokens is None:
        return None
    per_token = prices(spec, batch)
    if per_token is None:
        return None
    cost = prompt_tokens * per_token[0] + completion_tokens * per_token[1]
    thinking = reasoning_price(spec)
    if reasoning_tokens and thinking is not None:
        full = prices(spec)
        share = per_token[1] / full[1] if batch and full and full[1] else 1.0
        cost += min(reasoning_tokens, completion_tokens) * (thinking * share - per_token[1])
    return cost


BATCH_DISCOUNT = 0.5
"""The batch price as a share of the normal price where the price map has no batch price."""


def prices(spec: ModelSpec, batch: bool = False) -> tuple[float, float] | None:
    """(USD per prompt token, USD per completion token), or None if unknown (`batch`: the
    batch price)."""
    if spec.input_cost_per_token is not None and spec.output_cost_per_token is not None:
        full = spec.input_cost_per_token, spec.output_cost_per_token
        return (full[0] * BATCH_DISCOUNT, full[1] * BATCH_DISCOUNT) if batch else full
    full = _price_map_entry(spec.model)
    if not batch or full is None:
        return full
    listed = _batch_entry(spec.model)
    return listed or (full[0] * BATCH_DISCOUNT, full[1] * BATCH_DISCOUNT)


@lru_cache(maxsize=256)
def _batch_entry(model: str) -> tuple[float, float] | None:
    """The price map's own batch prices (`*_cost_per_token_batches`), if it lists both."""
    from workbench.model.backends import get_litellm

    try:
        info = get_litellm().get_model_info(model)
    except Exception:
        return None
    given = info.get("input_cost_per_token_batches"), info.get("output_cost_per_token_batches")
    if all(isinstance(p, int | float) and p > 0 for p in given):
        return float(given[0]), float(given[1])
    return None


def reasoning_price(spec: ModelSpec) -> float | None:
    """USD per reasoning token when LiteLLM's price map prices them apart from completion
    tokens (None: priced as completion tokens; always None with the spec's own prices)."""
    if spec.input_cost_per_token is not None and spec.output_cost_per_token is not None:
        return None
    return _reasoning_entry(spec.model)


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


@lru_cache(maxsize=256)
def _reasoning_entry(model: str) -> float | None:
    if model.startswith(("sim/", "local/")):
        return None
    from workbench.model.backends import get_litellm

    try:
        info = get_litellm().get_model_info(model)
    except Exception:
        return None
    price = info.get("output_cost_per_reasoning_token")
    return float(price) if isinstance(price, int | float) and price > 0 else None
