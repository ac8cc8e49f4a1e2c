"""The transports a call goes over: LiteLLM, plain OpenAI-compatible HTTP, and provider batch
jobs (the batch engine)."""

from __future__ import annotations

from workbench.model.backends._batch import BatchBackend, BatchFailed, request_key
from workbench.model.backends._batch_wire import (
    BatchItemError,
    Endpoint,
    LiteLLMBatches,
    parse_output,
)
from workbench.model.backends._http import (
    HttpBackend,
    HTTPStatusError,
    MalformedResponse,
    parse_reply,
    request_body,
)
from workbench.model.backends._litellm import drain, get_litellm

__all__ = [
    "BatchBackend",
    "BatchFailed",
    "BatchItemError",
    "Endpoint",
    "LiteLLMBatches",
    "parse_output",
    "request_key",
    "HTTPStatusError",
    "HttpBackend",
    "MalformedResponse",
    "drain",
    "get_litellm",
    "parse_reply",
    "request_body",
]
