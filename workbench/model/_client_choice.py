"""Which client carries a model's calls: the lean `http` path or LiteLLM. Pure functions.

`client = "auto"` (the default) takes the lean path only where it is known to work: an
`openai/` model at an `api_base` (vLLM, llama.cpp, Ollama's /v1, a gateway...) that the
preflight probe has had an answer from over that path. Hosted providers without an
`api_base`, `anthropic/`, `gemini/`, `ollama/` and every other LiteLLM provider, and any
endpoint the probe could not confirm, go through LiteLLM. Without a probe (`--no-probe`,
a resumed run), an `openai/` model at an `api_base` takes the lean path unconfirmed: its
failures are classified, retried and negotiated exactly as LiteLLM's would be.
"""

from __future__ import annotations

from typing import Literal, Protocol

from workbench.config import ModelSpec, speaks_openai
from workbench.model.guards import Failure

Client = Literal["http", "litellm"]

_IN_PROCESS = ("sim/", "local/")


class Probed(Protocol):
    """What `choose_client` needs from a probe result."""

    ok: bool
    client: str | None


def first_try(spec: ModelSpec) -> Client:
    """The client the probe (or an unprobed run) tries first for this spec. Pure."""
    if spec.client != "auto":
        return spec.client
    if spec.model.startswith(_IN_PROCESS) or not speaks_openai(spec):
        return "litellm"
    return "http"


def choose_client(spec: ModelSpec, probed: Probed | None) -> Client:
    """The run's client for `spec`, given what the preflight probe found for its endpoint
    (None: not probed). An explicit `client` is used as given. Pure."""
    first = first_try(spec)
    if spec.client != "auto" or first == "litellm" or probed is None:
        return first
    return "http" if probed.ok and probed.client == "http" else "litellm"


def worth_litellm(failure: Failure | None) -> bool:
    """Whether a probe that failed over the lean path should be tried again over LiteLLM: the
    endpoint refused the request itself (a parameter LiteLLM adapts) or sent a body the lean
    path cannot read. Not for a refused key, an unknown model, a server that is down or slow:
    LiteLLM would meet the same answer, and the probe spends no second request on it. Pure."""
    if failure is None:
        return False
    if "MalformedResponse" in failure.message:
        return True
    return failure.kind == "permanent" and failure.status not in (404, 413)
