"""Sampling parameters an endpoint refuses, and how to ask it instead (reasoning models).

OpenAI's o-series and other reasoning models refuse `max_tokens` (they want
`max_completion_tokens`) and any `temperature` but the default. LiteLLM adapts for the model
names it knows; for any other name (a gateway, a self-hosted server, a new model) the refusal
is read here, the request is adapted, and the adaptation is remembered per (model, api_base):
for the run in memory, for later runs in `endpoint_params.json` next to the call cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.config import ModelSpec
from workbench.model._memory import read_memory, write_memory
from workbench.model.guards import Failure

FILE_NAME = "endpoint_params.json"

NO_TEMPERATURE = "no_temperature"
"""Send no `temperature` (the endpoint takes only its default)."""
MAX_COMPLETION_TOKENS = "max_completion_tokens"
"""Send the completion cap as `max_completion_tokens`, not `max_tokens`."""
ADAPTATIONS = (NO_TEMPERATURE, MAX_COMPLETION_TOKENS)

_REFUSAL_WORDS = ("unsupported", "not supported", "does not support", "only the default")


def refused_params(failure: Failure, request: dict[str, Any]) -> list[str]:
    """The adaptations a failed call asks for that would change `request` (empty: the error is
    not about these parameters). Pure."""
    if failure.status not in (400, 422) or failure.kind == "fatal":
        return []
    text = failure.message.lower()
    if not any(word in text for word in _REFUSAL_WORDS):
        return []
    found = []
    if "temperature" in text and "temperature" in request:
        found.append(NO_TEMPERATURE)
    if "max_tokens" in text and "max_tokens" in request:
        found.append(MAX_COMPLETION_TOKENS)
    return found


def adapt(request: dict[str, Any], adaptations: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`request` as an endpoint with these adaptations takes it (a new dict). Pure."""
    if not adaptations:
        return request
    out = dict(request)
    if NO_TEMPERATURE in adaptations:
        out.pop("temperature", None)
    if MAX_COMPLETION_TOKENS in adaptations and "max_tokens" in out:
        out["max_completion_tokens"] = out.pop("max_tokens")
    return out


def describe(adaptations: list[str] | tuple[str, ...]) -> str:
    """One short note for the probe table: `max_completion_tokens, no temperature`."""
    words = {NO_TEMPERATURE: "no temperature", MAX_COMPLETION_TOKENS: "max_completion_tokens"}
    return ", ".join(words[a] for a in ADAPTATIONS if a in adaptations)


class EndpointParams:
    """The adaptations each (model, api_base) needs: learned during the run, read from and
    written to `path` (None: this run only)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self._known: dict[str, list[str]] = self._read()

    def get(self, spec: ModelSpec) -> list[str]:
        return list(self._known.get(_key(spec), []))

    def learn(self, spec: ModelSpec, adaptations: list[str]) -> None:
        """Remember `adaptations` for this endpoint (written down if they are news)."""
        key = _key(spec)
        had = self._known.get(key, [])
        merged = [a for a in ADAPTATIONS if a in had or a in adaptations]
        if merged == had:
            return
        self._known[key] = merged
        self._write()

    def known(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._known.items()}

    def _read(self) -> dict[str, list[str]]:
        data = read_memory(self.path)
        return {
            k: [a for a in ADAPTATIONS if a in v]
            for k, v in data.items()
            if isinstance(k, str) and isinstance(v, list)
        }

    def _write(self) -> None:
        write_memory(self.path, {**self._read(), **self._known})  # others may have learned others


def _key(spec: ModelSpec) -> str:
    return f"{spec.model}|{spec.api_base or ''}"
