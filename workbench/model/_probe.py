"""The preflight probe: one tiny real request per distinct (model, api_base) before a run.

It finds, in seconds and before any document is read, what every call of the run would
hit: a refused key, an unknown model, an unreachable server, a request the endpoint will
not take. It also negotiates the structured-output mode (the answer is remembered in
`structured_modes.json`, so the run starts at the mode that works) and looks up the
model's context window. In-process models (`sim/`, `local/`) are not probed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import ROLES, ModelSpec, Retry, RunConfig
from workbench.errors import ConfigError, ProviderError, StopRun, WorkbenchError
from workbench.model._client import ModelClient
from workbench.model._failures import context_window
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
    """Requests the probe sent (one, plus one per refused structured-output mode)."""

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
    for role in ROLES:
        spec = getattr(config.models, role)
        if spec.model.startswith(_IN_PROCESS):
            continue
        key = (spec.model, spec.api_base)
        if key not in found:
            found[key] = (spec, [])
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

    if backend is None and any(s.client != "http" for s, _ in targets):
        from workbench.model.backends import get_litellm

        await asyncio.to_thread(get_litellm)  # the import is slow: not inside a timed call
    probe.results = list(
        await asyncio.gather(
            *(_probe_one(config, spec, roles, backend, modes, record) for spec, roles in targets)
        )
    )
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
) -> ProbeResult:
    result = ProbeResult(spec.model, spec.api_base, roles)
    where = f"models.{'/'.join(roles)} ({result.endpoint})"
    if spec.api_base:
        unreachable = await asyncio.to_thread(_unreachable, spec.api_base)
        if unreachable:
            result.error = f"{where}: {unreachable}"
            return result
    failures: list[Failure] = []
    inner = backend
    http = None
    if inner is None:
        if spec.client == "http":
            from workbench.model.backends import HttpBackend

            inner = http = HttpBackend()
        else:
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

    client = ModelClient(
        seed=config.seed,
        concurrency=1,
        on_call=on_call,
        backend=watched,
        retry=_RETRY,
        budget=Budget(config.budget.usd, config.budget.tokens),
        modes=modes,
    )
    cap = MAX_TOKENS if spec.max_tokens is None else min(MAX_TOKENS, spec.max_tokens)
    tiny = spec.model_copy(update={"max_tokens": cap})
    try:
        await client.complete(tiny, PROMPT, CallMeta(PROBE_ROLE, PROBE_DOC, 0), json_schema=SCHEMA)
        answered = [r for r in mine if not r["error"]]
        result.ok = True
        result.structured_output = answered[-1]["structured_output"] if answered else None
        result.latency_s = answered[-1]["latency_s"] if answered else None
        result.context_window = await asyncio.to_thread(context_window, spec)
    except (StopRun, ProviderError, WorkbenchError) as exc:
        result.error = f"{where}: {_explain(failures[-1] if failures else None, exc)}"
    finally:
        result.calls = len(mine)
        if http is not None:
            await http.aclose()
    return result


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
    head = ("endpoint", "roles", "ok", "structured", "latency", "context")
    rows = [
        (
            r.endpoint,
            ",".join(r.roles),
            "ok" if r.ok else "FAIL",
            r.structured_output or "-",
            f"{r.latency_s:.2f} s" if r.latency_s is not None else "-",
            f"{r.context_window:,}" if r.context_window else "?",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]
    return "\n".join(lines)
