"""The one function that calls models: `ModelClient.complete()`.

Request building, structured output, tolerant parsing, the one re-ask, usage,
cost and call records all live here and nowhere else. LiteLLM is imported on
the first call, not before. Tests swap `backend`, never the agents.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import astuple
from typing import Any, TypeVar

from pydantic import BaseModel

from workbench.config import ModelSpec, Retry
from workbench.errors import ModelOutputError, ProviderError, StopRun
from workbench.model._client_choice import Client, choose_client
from workbench.model._drain import Drain
from workbench.model._failures import failed, fatal_reason
from workbench.model._params import adapt, refused_params
from workbench.model._parsing import ParseError, parse_model
from workbench.model._pricing import cost_usd, prices, reply_cost
from workbench.model._reply import Backend, CallMeta, Completion, Reply
from workbench.model._request import (
    SCHEMA_IN_PROMPT,
    SCHEMA_IN_PROMPT_MODES,
    build_request,
    estimate_tokens,
    reask_request,
)
from workbench.model._secrets import declare, redact
from workbench.model._structured import FILE_NAME as MODES_FILE
from workbench.model._structured import StructuredModes, endpoint_key, rejects_format
from workbench.model.backends._litellm import litellm_backend
from workbench.model.cache import CacheError, CallCache, cache_key
from workbench.model.guards import (
    Budget,
    BudgetExhausted,
    CircuitBreaker,
    Failure,
    TokenBucket,
    backoff_s,
    classify,
)

T = TypeVar("T", bound=BaseModel)

RAW_KEPT_CHARS = 20_000
"""How much of an unusable reply an `error` round keeps."""


class ModelClient:
    """Calls models for one run: the cache, retries, limits, budget and circuit breaker, and records."""

    def __init__(
        self,
        seed: int = 0,
        concurrency: int = 32,
        on_call: Callable[[dict[str, Any]], None] | None = None,
        backend: Backend | None = None,
        cache: CallCache | None = None,
        retry: Retry | None = None,
        breaker: CircuitBreaker | None = None,
        budget: Budget | None = None,
        modes: StructuredModes | None = None,
        clients: dict[str, Client] | None = None,
        backend_name: Client | None = None,
    ):
        self.seed = seed
        self.concurrency = concurrency
        self.on_call = on_call or (lambda record: None)
        self.backend = backend
        """A fixed backend for every call (tests, benchmarks); None: chosen per model spec."""
        self.backend_name = backend_name
        """What calls.jsonl names the fixed backend's client (None: not named)."""
        self.clients: dict[str, Client] = dict(clients or {})
        """The client of each endpoint (`endpoint_key`), as `choose_client` resolved it after the
        probe; an endpoint not in it is resolved unprobed."""
        self._http: Any = None
        self.cache = cache
        self.retry = retry or Retry()
        self.breaker = breaker or CircuitBreaker()
        self.budget = budget or Budget()
        self.stopped: StopRun | None = None
        self.drain = Drain()
        """After a failed cache write: the rounds in flight finish, then the run stops."""
        self.modes = modes or StructuredModes(
            self.cache.path.parent / MODES_FILE if self.cache is not None else None
        )
        """Which structured-output mode each endpoint takes (kept next to the call cache)."""
        self._global: asyncio.Semaphore | None = None
        self._per_model: dict[str, asyncio.Semaphore] = {}
        self._buckets: dict[str, tuple[TokenBucket | None, TokenBucket | None]] = {}

    async def complete(
        self,
        spec: ModelSpec,
        prompt: str,
        meta: CallMeta,
        schema: type[T] | None = None,
        validate: Callable[[T], None] | None = None,
        json_schema: dict[str, Any] | None = None,
    ) -> Completion:
        """One model answer; with `schema`, a validated record, re-asking once if needed.

        `json_schema` is what the provider is asked to follow (default: the
        pydantic model's schema); the reply is always validated as `schema`."""
        wire = (
            json_schema
            if json_schema is not None
            else (_schema(schema) if schema is not None else None)
        )
        name = schema.__name__ if schema else ""
        mode = self.modes.start(spec) if wire is not None else None
        while True:
            request = _request(spec, prompt, wire, self.call_seed(meta), name, mode)
            try:
                reply = await self._adapting(spec, request, meta, reask=0, mode=mode)
                break
            except _FormatRejected:
                # Not a retry: the next mode down is a different request, tried at once.
                mode = self.modes.rejected(spec, mode)
        if mode is not None:
            self.modes.worked(spec, mode)
        if schema is None:
            return Completion(reply.text, None, 1)
        parsed, error = _parse(reply, schema, validate)
        if parsed is not None and reply.finish_reason != "length":
            return Completion(reply.text, parsed, 1)
        # A reply cut off at max_tokens is asked again with more room even if what arrived
        # can be closed and parsed; the salvaged parse is only taken on the second try.
        error = error or "the reply was cut off at the token limit"
        request = reask_request(request, reply, error)
        second = await self._adapting(spec, request, meta, reask=1, mode=mode)
        parsed, error2 = _parse(second, schema, validate)
        if parsed is not None:
            return Completion(second.text, parsed, 2)
        raise ModelOutputError(
            f"{meta.role}: unusable output after a re-ask: {error2}",
            raw=second.text[:RAW_KEPT_CHARS],
        )

    def call_seed(self, meta: CallMeta) -> int:
        """Per-call seed from (run seed, document, round, role, side, rollout, and the
        evaluation run when it is a re-run): rollouts, rounds and re-run evaluations differ,
        reruns repeat."""
        key = f"{self.seed}|{meta.doc_id}|{meta.round}|{meta.role}|{meta.side}|{meta.rollout}"
        if meta.evaluation:
            key += f"|evaluation {meta.evaluation}"
        digest = hashlib.sha256(key.encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    def stop(self, reason: StopRun) -> StopRun:
        """Make every further call raise `reason` (the first reason wins)."""
        if self.stopped is None:
            self.stopped = reason
        return self.stopped

    async def _adapting(
        self, spec: ModelSpec, request: dict, meta: CallMeta, reask: int, mode: str | None
    ) -> Reply:
        """`_call`, sending the request again at once, adapted, when the endpoint refuses a
        sampling parameter (`_params.py`): not a retry, nothing charged."""
        while True:
            try:
                return await self._call(
                    spec, adapt(request, self.modes.params.get(spec)), meta, reask, mode
                )
            except _ParamsRefused:
                continue

    async def _call(
        self, spec: ModelSpec, request: dict, meta: CallMeta, reask: int, mode: str | None = None
    ) -> Reply:
        """One request: from the cache, else from the provider with retries; every attempt
        recorded. Raises `_FormatRejected` when a negotiated `mode` is refused."""
        if self.stopped:
            raise self.stopped
        held = await self.drain.admit(meta)
        if held is not None:
            raise self.stop(held)
        # The in-process simulator is deterministic and faster than a cache lookup: never cached.
        cacheable = self.cache is not None and not spec.model.startswith("sim/")
        key = cache_key(request, meta.rollout) if cacheable else None
        if key is not None:
            reply = _cached(self.cache, key)
            if reply is not None:
                self._record(spec, meta, reask, 0, 0.0, reply, None, cached=True, mode=mode)
                return reply
        prompt_estimate, completion_cap = estimate_tokens(request)
        per_token = prices(spec) if self.budget.usd is not None else None
        usd_estimate = (
            (prompt_estimate * per_token[0] + completion_cap * per_token[1]) if per_token else 0.0
        )
        for attempt in range(1, self.retry.max_attempts + 1):
            if self.stopped:
                raise self.stopped
            try:
                reservation = await self.budget.reserve(
                    usd_estimate, prompt_estimate + completion_cap
                )
            except BudgetExhausted as exc:
                raise self.stop(StopRun("budget", str(exc))) from None
            await self._rate_limit(spec, prompt_estimate + completion_cap)
            reply, failure, latency = await self._attempt(spec, request, reservation)
            if reply is not None:
                # A key the endpoint echoes back must not reach the cache or the records.
                reply = Reply(redact(reply.text), *astuple(reply)[1:])
                cost, savings = reply_cost(spec, reply)
                self.budget.settle(
                    reservation,
                    cost or 0.0,
                    (reply.prompt_tokens or 0) + (reply.completion_tokens or 0),
                )
                self.breaker.record(True)
                if key is not None and self.cache.write_error is None:
                    try:
                        self.cache.put(key, request, reply.__dict__)
                    except (
                        CacheError
                    ) as exc:  # the reply is paid for: used and recorded all the same
                        self.drain.failed(str(exc))
                self._record(
                    spec,
                    meta,
                    reask,
                    attempt,
                    latency,
                    reply,
                    None,
                    cost=cost,
                    mode=mode,
                    savings=savings,
                )
                return reply
            error = redact(failure.message)[:500]
            refused = refused_params(failure, request)
            if refused:
                # Refused before any work (a reasoning model's parameters): adapted, sent again.
                self._record(spec, meta, reask, attempt, latency, None, error, mode=mode)
                self.modes.params.learn(spec, refused)
                raise _ParamsRefused(error)
            negotiable = mode not in (None, "prompt") and spec.structured_output is None
            if negotiable and reask == 0 and rejects_format(failure):
                # Refused before any work: recorded with its error and no tokens, no cost.
                self._record(spec, meta, reask, attempt, latency, None, error, mode=mode)
                raise _FormatRejected(error)
            self._record(spec, meta, reask, attempt, latency, None, error, mode=mode)
            if failure.kind == "fatal":
                raise self.stop(StopRun("fatal_error", fatal_reason(spec, meta, failure, error)))
            if self.breaker.record(False, error):
                raise self.stop(StopRun("circuit_breaker", self.breaker.reason()))
            if failure.kind == "permanent" or attempt == self.retry.max_attempts:
                raise ProviderError(failed(spec, meta, attempt, error))
            await asyncio.sleep(
                backoff_s(attempt, self.retry.base_s, self.retry.max_s, failure.retry_after_s)
            )
        raise AssertionError("unreachable")

    async def _attempt(
        self, spec: ModelSpec, request: dict, reservation
    ) -> tuple[Reply | None, Failure | None, float]:
        if self._global is None:
            self._global = asyncio.Semaphore(self.concurrency)
        limit = self._model_limit(spec)
        _, backend = self._backend(spec)
        t0 = 0.0
        try:
            # Latency is the call's own: timed once a slot is held, not while queueing for one.
            async with self._global:
                if limit is None:
                    t0 = time.perf_counter()
                    reply = await backend(**request, api_key=_api_key(spec))
                else:
                    async with limit:
                        t0 = time.perf_counter()
                        reply = await backend(**request, api_key=_api_key(spec))
            return reply, None, time.perf_counter() - t0
        except asyncio.CancelledError:
            self.budget.settle(reservation, 0.0, 0)
            raise
        except Exception as exc:  # provider errors of every kind end up here
            self.budget.settle(reservation, 0.0, 0)
            return None, classify(exc), (time.perf_counter() - t0) if t0 else 0.0

    def client_for(self, spec: ModelSpec) -> Client | None:
        """The client this spec's calls go over (None: a fixed backend that is not named)."""
        if self.backend is not None:
            return self.backend_name
        known = self.clients.get(endpoint_key(spec))
        if known is None:
            known = self.clients[endpoint_key(spec)] = choose_client(spec, None)
        return known

    def _backend(self, spec: ModelSpec) -> tuple[Client | None, Backend]:
        name = self.client_for(spec)
        if self.backend is not None:
            return name, self.backend
        if name == "http":
            if self._http is None:
                from workbench.model.backends import HttpBackend

                self._http = HttpBackend()
            return name, self._http
        return name, litellm_backend

    async def aclose(self) -> None:
        """Release the lean path's HTTP session and stop LiteLLM's background
        logging task (call from the loop that made the calls)."""
        from workbench.model.backends import drain

        if self._http is not None:
            await self._http.aclose()
        await drain()

    async def _rate_limit(self, spec: ModelSpec, tokens: int) -> None:
        if spec.rpm is None and spec.tpm is None:
            return
        key = f"{spec.model}|{spec.api_base}"
        if key not in self._buckets:
            self._buckets[key] = (
                TokenBucket(spec.rpm) if spec.rpm else None,
                TokenBucket(spec.tpm) if spec.tpm else None,
            )
        requests, token_bucket = self._buckets[key]
        if requests is not None:
            await requests.acquire(1)
        if token_bucket is not None:
            await token_bucket.acquire(tokens)

    def _record(
        self,
        spec: ModelSpec,
        meta: CallMeta,
        reask: int,
        attempt: int,
        latency: float,
        reply: Reply | None,
        error: str | None,
        cached: bool = False,
        cost: float | None = None,
        mode: str | None = None,
        savings: float | None = None,
    ) -> None:
        if reply is not None and cost is None and not cached:
            cost, savings = reply_cost(spec, reply)
        if cached and reply is not None:
            cost = (
                0.0
                if cost_usd(spec, reply.prompt_tokens, reply.completion_tokens) is not None
                else None
            )
        self.on_call(
            {
                "ts": round(time.time(), 3),
                "role": meta.role,
                "model": spec.model,
                "doc_id": meta.doc_id,
                "round": meta.round,
                "rollout": meta.rollout,
                "side": meta.side,
                "evaluation": meta.evaluation,
                "reask": reask,
                "attempt": attempt,
                "latency_s": round(latency, 4),
                "prompt_tokens": reply.prompt_tokens if reply else None,
                "completion_tokens": reply.completion_tokens if reply else None,
                "reasoning_tokens": reply.reasoning_tokens if reply else None,
                "cached_prompt_tokens": reply.cached_prompt_tokens if reply else 0,
                "cache_creation_tokens": reply.cache_creation_tokens if reply else 0,
                "cost_usd": cost,
                "cache_savings_usd": None if cached else savings,
                "cached": cached,
                "finish_reason": reply.finish_reason if reply else None,
                "error": error,
                "structured_output": mode,
                "client": None if cached else self.client_for(spec),
                **({"stage": meta.stage} if meta.stage else {}),
            }
        )

    def _model_limit(self, spec: ModelSpec) -> asyncio.Semaphore | None:
        if spec.max_concurrency is None:
            return None
        key = f"{spec.model}|{spec.api_base}"
        if key not in self._per_model:
            self._per_model[key] = asyncio.Semaphore(spec.max_concurrency)
        return self._per_model[key]


def _cached(cache: CallCache, key: str) -> Reply | None:
    hit = cache.get(key)
    if hit is None:
        return None
    try:
        return Reply(**hit)
    except TypeError:  # intact, but not a reply this version reads: a miss, replaced
        cache.rejected["digest_mismatch"] += 1
        return None


class _FormatRejected(Exception):
    """The endpoint refused this request's response_format: try the next mode down."""


class _ParamsRefused(Exception):
    """The endpoint refused a sampling parameter: send the request again, adapted."""


def _request(
    spec: ModelSpec, prompt: str, wire: dict | None, seed: int, name: str, mode: str | None
) -> dict:
    content = prompt
    if wire is not None and mode in SCHEMA_IN_PROMPT_MODES:
        content += SCHEMA_IN_PROMPT.format(schema=json.dumps(wire))
    return build_request(spec, [{"role": "user", "content": content}], wire, seed, name, mode)


def _parse(
    reply: Reply, schema: type[T], validate: Callable[[T], None] | None
) -> tuple[T | None, str]:
    try:
        parsed = parse_model(reply.text, schema)
        if validate is not None:
            validate(parsed)
        return parsed, ""
    except (ParseError, ValueError) as exc:
        why = str(exc)
        if reply.finish_reason == "length":
            why = f"the reply was cut off at the token limit ({why})"
        return None, why


_SCHEMAS: dict[type, dict] = {}


def _schema(model: type[BaseModel]) -> dict:
    if model not in _SCHEMAS:
        _SCHEMAS[model] = model.model_json_schema()
    return _SCHEMAS[model]


def _api_key(spec: ModelSpec) -> str | None:
    if spec.api_key_env:
        declare([spec.api_key_env])  # whatever name holds a key we send is redacted everywhere
        return os.environ.get(spec.api_key_env)
    if spec.api_base and not spec.model.startswith(("sim/", "local/")):
        # OpenAI-compatible local servers need some key; this is not a secret.
        return "no-key"
    return None
