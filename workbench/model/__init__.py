"""The model layer: the one client (`ModelClient.complete()`), requests, replies, parsing,
cache, pricing, secrets, preflight checks and the preflight probe."""

from __future__ import annotations

from workbench.model._client import RAW_KEPT_CHARS, ModelClient
from workbench.model._client_choice import Client, choose_client, first_try, worth_litellm
from workbench.model._failures import context_window
from workbench.model._parsing import ParseError, extract_json, parse_model
from workbench.model._preflight import check_models, check_spec, family
from workbench.model._pricing import Prices, cache_savings_usd, cost_usd, price_table, prices
from workbench.model._probe import Probe, ProbeResult, aprobe, format_table, modes_for, probe
from workbench.model._reply import MAX_REPLY_CHARS, Backend, CallMeta, Reply, ReplyTooLarge
from workbench.model._request import (
    DEFAULT_COMPLETION_CAP,
    build_request,
    estimate_tokens,
    response_format,
)
from workbench.model._secrets import declare
from workbench.model._structured import endpoint_key
from workbench.model.backends._litellm import litellm_backend
from workbench.model.cache import CacheError, CallCache, default_path

__all__ = [
    "Backend",
    "CacheError",
    "CallCache",
    "CallMeta",
    "Client",
    "DEFAULT_COMPLETION_CAP",
    "MAX_REPLY_CHARS",
    "ModelClient",
    "ParseError",
    "Probe",
    "ProbeResult",
    "Prices",
    "RAW_KEPT_CHARS",
    "Reply",
    "ReplyTooLarge",
    "aprobe",
    "build_request",
    "check_models",
    "check_spec",
    "choose_client",
    "context_window",
    "cache_savings_usd",
    "cost_usd",
    "declare",
    "default_path",
    "endpoint_key",
    "estimate_tokens",
    "extract_json",
    "family",
    "first_try",
    "format_table",
    "modes_for",
    "parse_model",
    "litellm_backend",
    "price_table",
    "prices",
    "probe",
    "response_format",
    "worth_litellm",
]
