"""The preflight probe: one tiny real request per distinct (model, api_base) before a run.

It finds, in seconds and before any document is read, what every call of the run would
hit: a refused key, an unknown model, an unreachable server, a request the endpoint will
not take. It also negotiates the structured-output mode (the answer is remembered in
`structured_modes.json`, so the run starts at the mode that works), sends the config's
`temperature` and a `max_tokens` cap so a reasoning model's refusals are found and adapted
to (`_params.py`, remembered alike), and looks up the model's context window. In-process
models (`sim/`, `local/`) are not probed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import ModelSpec, Retry, RunConfig, role_specs
from workbench.errors import ConfigError, ProviderError, StopRun, WorkbenchError
from workbench.model._client import ModelClient
from workbench.model._client_choice import choose_client, first_try, worth_litellm
from workbench.model._failures import context_window
from workbench.model._params import describe
from workbench.model._reply import Backend, CallMeta
from workbench.model._secrets import redact
from workbench.model._structured import FILE_NAME as MODES_FILE
from workbench.model._structured import StructuredModes
from workbench.model.backends._litellm import litellm_backend
from workbench.model.cache import default_path as default_cache_path
from workbench.model.guards import Budget, Failure, classify

PROBE_ROLE = "probe"
PROBE_DOC = "preflight"
PROMPT = 'Reply with the JSON object {"ok": true} and nothing else.'
SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
MAX_TOKENS = 16
_RETRY = Retry(max_attempts=2, base_s=0.5, max_s=2.0)
"""One second chance for a transient fault; a dead endpoint is found in seconds, not minutes."""
_IN_PROCESS = ("sim/", "local/")


@dataclass
class ProbeResult:
    """What the probe found for one endpoint."""

    model: str
    api_base: str | None
    roles: list[str]
    ok: bool = False
    error: str | None = None
    """One line: what failed, and what to check."""
    structured_output: str | None = None
    """The structured-output mode the endpoint answered."""
    latency_s: float | None = None
    context_window: int | None = None
    """Tokens, when LiteLLM's model map knows the model."""
    calls: int = 0
    """Requests the probe sent (one, plus one per refused structured-output mode or
    parameter, plus the requests over LiteLLM when the lean path could not be confirmed)."""
    adapted: list[str] = field(default_factory=list)
    """Sampling-parameter adaptations the endpoint needs (`no_temperature`,
    `max_completion_tokens`); every call of the run makes them too."""
    client: str | None = None
    """What the probe reached the endpoint over (`http` or `litellm`)."""
    run_client: str | None = None
    """The client the run uses for this endpoint (`choose_client`)."""

    @property
    def endpoint(self) -> str:
        return f"{self.model} @ {self.api_base}" if self.api_base else self.model


@dataclass
class Probe:
    """Every endpoint's result, the call records (for the run's calls.jsonl) and the
    structured-output modes learned."""

    results: list[ProbeResult]
    records: list[dict[str, Any]] = field(default_factory=list)
    modes: StructuredModes | None = None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def result_for(self, spec: ModelSpec) -> ProbeResult | None:
        """The result for this spec's endpoint (None: not probed, e.g. an in-process model)."""
        return next(
            (r for r in self.results if (r.model, r.api_base) == (spec.model, spec.api_base)),
            None,
        )

    def error(self) -> str | None:
        """One line for every failing endpoint, joined by "; " (None: all passed)."""
        failing = [r.error or f"{r.endpoint}: failed" for r in self.results if not r.ok]
        return "; ".join(failing) if failing else None

    def check(self) -> None:
        """Raise ConfigError (one line) if any endpoint failed."""
        message = self.error()
        if message is not None:
            raise ConfigError(f"preflight probe failed: {message}")


def endpoints(config: RunConfig) -> list[tuple[ModelSpec, list[str]]]:
    """Distinct (model, api_base) among the roles, each with the roles using it; in-process
    models are left out."""
    found: dict[tuple[str, str | None], tuple[ModelSpec, list[str]]] = {}
    for _, role, spec in role_specs(config.models):
        if spec.model.startswith(_IN_PROCESS):
            continue
        key = (spec.model, spec.api_base)
        if key not in found:
            found[key] = (spec, [])
        if role not in found[key][1]:
            found[key][1].append(role)
    return list(found.values())


def modes_for(config: RunConfig) -> StructuredModes:
    """The structured-mode memory the run's client will read (next to the call cache)."""
    if not config.cache.enabled:
        return StructuredModes(None)
    return StructuredModes(Path(config.cache.path or default_cache_path()).parent / MODES_FILE)


async def aprobe(
    config: RunConfig,
    backend: Backend | None = None,
    modes: StructuredModes | None = None,
    on_call: Callable[[dict[str, Any]], None] | None = None,
) -> Probe:
    """Probe every endpoint of `config` at once (`backend`: a fixed backend, for tests)."""
    targets = endpoints(config)
    modes = modes if modes is not None else modes_for(config)
    probe = Probe([], [], modes)
    if not targets:
        return probe

    def record(r: dict[str, Any]) -> None:
        probe.records.append(r)
        if on_call is not None:
            on_call(r)

    from workbench.model.backends import get_litellm

    # Prices (and LiteLLM's own calls) need LiteLLM: imported off the event loop, while the
    # lean path's requests are already in flight.
    importing = asyncio.create_task(asyncio.to_thread(get_litellm))
    probe.results = list(
        await asyncio.gather(
            *(
                _probe_one(config, spec, roles, backend, modes, record, importing)
                for spec, roles in targets
            )
        )
    )
    await importing
    return probe


def probe(config: RunConfig, backend: Backend | None = None) -> Probe:
    """`aprobe` for synchronous callers (also from inside a running event loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(aprobe(config, backend))
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, aprobe(config, backend)).result()


async def _probe_one(
    config: RunConfig,
    spec: ModelSpec,
    roles: list[str],
    backend: Backend | None,
    modes: StructuredModes,
    record: Callable[[dict[str, Any]], None],
    importing: asyncio.Future | None = None,
) -> ProbeResult:
    result = ProbeResult(spec.model, spec.api_base, roles)
    where = f"models.{'/'.join(roles)} ({result.endpoint})"
    if spec.api_base:
        unreachable = await asyncio.to_thread(_unreachable, spec.api_base)
        if unreachable:
            result.error = f"{where}: {unreachable}"
            return result
    client = first_try(spec)
    failure = await _probe_over(client, config, spec, backend, modes, record, result, importing)
    if not result.ok and client == "http" and spec.client == "auto" and worth_litellm(failure):
        # The lean path could not be confirmed here: see whether LiteLLM gets an answer.
        result.error = None
        failure = await _probe_over(
            "litellm", config, spec, backend, modes, record, result, importing
        )
    if not result.ok:
        result.error = f"{where}: {result.error}"
    else:
        result.context_window = await asyncio.to_thread(context_window, spec)
    result.run_client = choose_client(spec, result)
    return result


async def _probe_over(
    client: str,
    config: RunConfig,
    spec: ModelSpec,
    backend: Backend | None,
    modes: StructuredModes,
    record: Callable[[dict[str, Any]], None],
    result: ProbeResult,
    importing: asyncio.Future | None,
) -> Failure | None:
    """One probe request (plus refused modes) over `client`; fills `result`, returns the last
    failure seen."""
    failures: list[Failure] = []
    inner = backend
    http = None
    if inner is None:
        if client == "http":
            from workbench.model.backends import HttpBackend

            inner = http = HttpBackend()
        else:
            if importing is not None:
                await asyncio.shield(importing)
            inner = litellm_backend

    async def watched(**request: Any):
        try:
            return await inner(**request)
        except Exception as exc:
            failures.append(classify(exc))
            raise

    mine: list[dict[str, Any]] = []

    def on_call(r: dict[str, Any]) -> None:
        mine.append(r)
        record(r)

    probe_client = ModelClient(
        seed=config.seed,
        concurrency=1,
        on_call=on_call,
        backend=watched,
        retry=_RETRY,
        budget=Budget(config.budget.usd, config.budget.tokens),
        modes=modes,
        backend_name=client,
    )
    result.client = client
    try:
        tiny = spec.model_copy(update={"max_tokens": probe_cap(spec)})
        await probe_client.complete(
            tiny, PROMPT, CallMeta(PROBE_ROLE, PROBE_DOC, 0), json_schema=SCHEMA
        )
        answered = [r for r in mine if not r["error"]]
        result.ok = True
        result.structured_output = answered[-1]["structured_output"] if answered else None
        result.latency_s = answered[-1]["latency_s"] if answered else None
    except (StopRun, ProviderError, WorkbenchError) as exc:
        result.error = _explain(failures[-1] if failures else None, exc)
    finally:
        result.calls += len(mine)
        result.adapted = modes.params.get(spec)
        if http is not None:
            await http.aclose()
    return failures[-1] if failures else None


def probe_cap(spec: ModelSpec) -> int | None:
    """The probe's completion cap: MAX_TOKENS, or the config's if smaller; room for the
    thinking budget when `extra` turns thinking on (Anthropic refuses a cap below it); the
    config's own cap with `reasoning_effort` (the provider sets the budget). Pure."""
    thinking = spec.extra.get("thinking")
    budget = thinking.get("budget_tokens") if isinstance(thinking, dict) else None
    if isinstance(budget, int) and budget > 0:
        return budget + MAX_TOKENS if spec.max_tokens is None else spec.max_tokens
    if "reasoning_effort" in spec.extra:
        return spec.max_tokens
    return MAX_TOKENS if spec.max_tokens is None else min(MAX_TOKENS, spec.max_tokens)


def _explain(failure: Failure | None, exc: BaseException) -> str:
    """What went wrong, in one line, with what to check."""
    if failure is None:
        text = exc.reason if isinstance(exc, StopRun) else str(exc)
        return " ".join(redact(text).split())[:300]
    detail = " ".join(redact(failure.message).split())[:240]
    name = detail.split(":", 1)[0]
    if failure.status in (401, 403) or name in ("AuthenticationError", "PermissionDeniedError"):
        return f"the key was refused (check api_key_env): {detail}"
    if failure.status == 404 or name == "NotFoundError":
        return f"model not found (check its name): {detail}"
    if name == "UnsupportedParamsError":
        return f"a parameter is not supported (check extra, temperature, max_tokens): {detail}"
    if failure.kind == "retryable":
        return f"no usable answer (server down or overloaded?): {detail}"
    return f"the request was refused (check the model's parameters): {detail}"


def _unreachable(base: str, timeout_s: float = 3.0) -> str | None:
    """Why `base` cannot be reached (None: it accepts a TCP connection)."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(base)
    if url.scheme not in ("http", "https") or not url.hostname:
        return f"api_base: {base!r} is not an http(s) URL"
    port = url.port or (443 if url.scheme == "https" else 80)
    t0 = time.perf_counter()
    try:
        socket.create_connection((url.hostname, port), timeout=timeout_s).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError) or time.perf_counter() - t0 >= timeout_s:
            reason = f"no answer in {timeout_s:g} s"
        return f"cannot reach {base} ({reason}); is the server running?"
    return None


def format_table(results: list[ProbeResult]) -> str:
    """The probe's results as a plain-text table."""
    head = ("endpoint", "roles", "ok", "client", "structured", "latency", "context", "adapted")
    rows = [
        (
            r.endpoint,
            ",".join(r.roles),
            "ok" if r.ok else "FAIL",
            r.run_client or r.client or "-",
            r.structured_output or "-",
            f"{r.latency_s:.2f} s" if r.latency_s is not None else "-",
            f"{r.context_window:,}" if r.context_window else "?",
            describe(r.adapted) or "-",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]
    return "\n".join(lines)
