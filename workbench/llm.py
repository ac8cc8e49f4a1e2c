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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from workbench.config import ModelSpec
from workbench.errors import ModelOutputError, ProviderError
from workbench.parsing import ParseError, parse_model
from workbench.pricing import cost_usd
from workbench.secrets import redact

T = TypeVar("T", bound=BaseModel)

REASK = (
    "Your previous reply could not be used: {error}. Reply again with only the JSON object "
    "described above, complete and valid."
)
SCHEMA_IN_PROMPT = "\n\nReply with only a JSON object that matches this JSON schema:\n{schema}\n"


@dataclass(frozen=True)
class CallMeta:
    """Where a call belongs in the run, for calls.jsonl."""

    role: str
    doc_id: str
    round: int
    attempt: int = 0
    side: str | None = None
    """For judge calls: whose answer is graded (`weak` or `strong`)."""


@dataclass(frozen=True)
class Reply:
    """What a backend returns for one request."""

    text: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass(frozen=True)
class Completion:
    """What `complete()` returns."""

    text: str
    parsed: Any
    calls: int


Backend = Callable[..., Awaitable[Reply]]


class ModelClient:
    """Calls models for one run: a global cap on calls in flight, per-model caps, records."""

    def __init__(
        self,
        seed: int = 0,
        concurrency: int = 32,
        on_call: Callable[[dict[str, Any]], None] | None = None,
        backend: Backend | None = None,
    ):
        self.seed = seed
        self.concurrency = concurrency
        self.on_call = on_call or (lambda record: None)
        self.backend = backend or litellm_backend
        self._global: asyncio.Semaphore | None = None
        self._per_model: dict[str, asyncio.Semaphore] = {}

    async def complete(
        self,
        spec: ModelSpec,
        prompt: str,
        meta: CallMeta,
        schema: type[T] | None = None,
        validate: Callable[[T], None] | None = None,
    ) -> Completion:
        """One model answer; with `schema`, a validated record, re-asking once if needed."""
        messages = [{"role": "user", "content": prompt}]
        if schema is not None and spec.structured_output == "prompt":
            messages[0]["content"] += SCHEMA_IN_PROMPT.format(schema=json.dumps(_schema(schema)))
        request = build_request(spec, messages, schema, self.call_seed(meta))
        reply = await self._call(spec, request, meta, retry=0)
        if schema is None:
            return Completion(reply.text, None, 1)
        parsed, error = _parse(reply, schema, validate)
        if parsed is not None:
            return Completion(reply.text, parsed, 1)
        request = reask_request(request, reply, error)
        second = await self._call(spec, request, meta, retry=1)
        parsed, error2 = _parse(second, schema, validate)
        if parsed is not None:
            return Completion(second.text, parsed, 2)
        raise ModelOutputError(
            f"{meta.role}: unusable output after a re-ask: {error2}", raw=second.text
        )

    def call_seed(self, meta: CallMeta) -> int:
        """Per-call seed from (run seed, document, round, role, side, rollout): rollouts and
        rounds differ, reruns repeat."""
        key = f"{self.seed}|{meta.doc_id}|{meta.round}|{meta.role}|{meta.side}|{meta.attempt}"
        digest = hashlib.sha256(key.encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    async def _call(self, spec: ModelSpec, request: dict, meta: CallMeta, retry: int) -> Reply:
        if self._global is None:
            self._global = asyncio.Semaphore(self.concurrency)
        limit = self._model_limit(spec)
        started = time.time()
        t0 = time.perf_counter()
        reply: Reply | None = None
        error: str | None = None
        try:
            async with self._global:
                if limit is None:
                    reply = await self.backend(**request, api_key=_api_key(spec))
                else:
                    async with limit:
                        reply = await self.backend(**request, api_key=_api_key(spec))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # provider errors of every kind end up here
            error = redact(f"{type(exc).__name__}: {exc}")[:500]
        latency = time.perf_counter() - t0
        self.on_call(
            {
                "ts": round(started, 3),
                "role": meta.role,
                "model": spec.model,
                "doc_id": meta.doc_id,
                "round": meta.round,
                "attempt": meta.attempt,
                "side": meta.side,
                "retry": retry,
                "latency_s": round(latency, 4),
                "prompt_tokens": reply.prompt_tokens if reply else None,
                "completion_tokens": reply.completion_tokens if reply else None,
                "cost_usd": cost_usd(spec, reply.prompt_tokens, reply.completion_tokens)
                if reply
                else None,
                "cached": False,
                "finish_reason": reply.finish_reason if reply else None,
                "error": error,
            }
        )
        if reply is None:
            raise ProviderError(f"{meta.role} call to {spec.model} failed: {error}")
        return reply

    def _model_limit(self, spec: ModelSpec) -> asyncio.Semaphore | None:
        if spec.max_concurrency is None:
            return None
        key = f"{spec.model}|{spec.api_base}"
        if key not in self._per_model:
            self._per_model[key] = asyncio.Semaphore(spec.max_concurrency)
        return self._per_model[key]


def build_request(
    spec: ModelSpec, messages: list[dict], schema: type[BaseModel] | None, seed: int
) -> dict[str, Any]:
    """The LiteLLM keyword arguments for a call (without the key). Pure."""
    request: dict[str, Any] = {
        "model": spec.model,
        "messages": messages,
        "seed": seed,
        "timeout": spec.timeout_s,
        "drop_params": True,
        **spec.extra,
    }
    if spec.api_base:
        request["api_base"] = spec.api_base
    if spec.temperature is not None:
        request["temperature"] = spec.temperature
    if spec.max_tokens is not None:
        request["max_tokens"] = spec.max_tokens
    if schema is not None:
        fmt = response_format(spec.structured_output, schema)
        if fmt is not None:
            request["response_format"] = fmt
    return request


def response_format(mode: str, schema: type[BaseModel]) -> dict[str, Any] | None:
    """The `response_format` for a structured-output mode."""
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": _schema(schema), "strict": False},
        }
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": _schema(schema)}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def reask_request(request: dict, reply: Reply, error: str) -> dict:
    """The request for the single re-ask: more room if cut off, else the validation error."""
    again = dict(request)
    if reply.finish_reason == "length":
        room = request.get("max_tokens") or max(reply.completion_tokens or 0, 1024)
        again["max_tokens"] = int(room) * 2
    again["messages"] = [
        *request["messages"],
        {"role": "assistant", "content": reply.text},
        {"role": "user", "content": REASK.format(error=error)},
    ]
    return again


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
        return os.environ.get(spec.api_key_env)
    if spec.api_base and not spec.model.startswith(("sim/", "local/")):
        # OpenAI-compatible local servers need some key; this is not a secret.
        return "no-key"
    return None


async def litellm_backend(**request: Any) -> Reply:
    """The real backend: `litellm.acompletion`, imported on first use."""
    from workbench._litellm import get_litellm

    litellm = get_litellm()
    if request.get("api_key") is None:
        request.pop("api_key", None)
    response = await litellm.acompletion(**request)
    choice = response.choices[0]
    usage = getattr(response, "usage", None)
    return Reply(
        text=choice.message.content or "",
        finish_reason=choice.finish_reason,
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
    )
