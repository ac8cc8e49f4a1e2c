"""Structured-output negotiation: the ladder of modes, and which one each endpoint takes.

A model whose config leaves `structured_output` unset starts at `json_schema`; when the
endpoint rejects the request's `response_format`, the call steps down the ladder
(`json_schema -> json_object_schema -> guided_json -> json_object -> prompt`) and the working
mode is remembered per (model, api_base): for the rest of the run in memory, for later runs
in `structured_modes.json` next to the call cache (written atomically). The same memory carries
the sampling-parameter adaptations an endpoint needs (`_params.py`).

`guided_json` (vLLM's own field, sent in `extra_body`) comes after `json_object_schema` since
a server that does not know the field ignores it silently; its requests also carry the schema
in the prompt, so even then the model knows what to write.
"""

from __future__ import annotations

from pathlib import Path

from workbench.config import ModelSpec
from workbench.model._memory import read_memory, write_memory
from workbench.model._params import FILE_NAME as PARAMS_FILE
from workbench.model._params import EndpointParams
from workbench.model.guards import Failure

LADDER = ("json_schema", "json_object_schema", "guided_json", "json_object", "prompt")
"""Structured-output modes, from the most constrained to none at all."""

FILE_NAME = "structured_modes.json"

# What an endpoint's error says when it is the response_format it cannot take.
_FORMAT_WORDS = (
    "response_format",
    "response format",
    "json_schema",
    "json_object",
    "schema",
    "structured output",
    "guided",
    "grammar",
)


def rejects_format(failure: Failure) -> bool:
    """Whether a failed call was the endpoint refusing the requested `response_format`:
    a 400/422 (or a 5xx validation error) whose message is about the format."""
    status = failure.status
    if status is None or failure.kind == "fatal" or status in (404, 408, 409, 413, 429):
        return False
    if status < 400:
        return False
    text = failure.message.lower()
    if "context" in text and ("length" in text or "window" in text):
        return False
    if status >= 500 and "response_format" not in text:
        return False
    return any(word in text for word in _FORMAT_WORDS)


def endpoint_key(spec: ModelSpec) -> str:
    return f"{spec.model}|{spec.api_base or ''}"


class StructuredModes:
    """Which structured-output mode each (model, api_base) takes: learned during the run,
    read from and written to `path` (None: this run only)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self._working: dict[str, str] = self._read()
        self._floor: dict[str, int] = {}  # index of the first mode not yet rejected, this run
        self.params = EndpointParams(self.path.with_name(PARAMS_FILE) if self.path else None)
        """The sampling-parameter adaptations each endpoint needs (kept alongside)."""

    def start(self, spec: ModelSpec) -> str:
        """The mode to try first for this endpoint."""
        if spec.structured_output is not None:
            return spec.structured_output
        key = endpoint_key(spec)
        known = self._working.get(key)
        floor = self._floor.get(key, 0)
        index = max(LADDER.index(known) if known in LADDER else 0, floor)
        return LADDER[min(index, len(LADDER) - 1)]

    def rejected(self, spec: ModelSpec, mode: str) -> str | None:
        """`mode` was refused: the next one down the ladder (None: nothing left to try)."""
        index = LADDER.index(mode) + 1
        if index >= len(LADDER):
            return None
        key = endpoint_key(spec)
        self._floor[key] = max(self._floor.get(key, 0), index)
        if LADDER.index(self._working.get(key, LADDER[0])) < index:
            self._working.pop(key, None)
        return self.start(spec)

    def worked(self, spec: ModelSpec, mode: str) -> None:
        """`mode` was answered: remember it (and write it down if it is news)."""
        if spec.structured_output is not None:
            return
        key = endpoint_key(spec)
        if self._working.get(key) == mode:
            return
        self._working[key] = mode
        self._write()

    def known(self) -> dict[str, str]:
        return dict(self._working)

    def _read(self) -> dict[str, str]:
        data = read_memory(self.path)
        return {k: v for k, v in data.items() if isinstance(k, str) and v in LADDER}

    def _write(self) -> None:
        write_memory(self.path, {**self._read(), **self._working})  # others may have learned others
