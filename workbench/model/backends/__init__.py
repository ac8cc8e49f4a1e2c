"""The transports a call goes over: LiteLLM, and plain OpenAI-compatible HTTP."""

from __future__ import annotations

from workbench.model.backends._http import (
    HttpBackend,
    HTTPStatusError,
    MalformedResponse,
    parse_reply,
    request_body,
)
from workbench.model.backends._litellm import drain, get_litellm

__all__ = [
    "HTTPStatusError",
    "HttpBackend",
    "MalformedResponse",
    "drain",
    "get_litellm",
    "parse_reply",
    "request_body",
]
