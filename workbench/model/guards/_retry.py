"""Which provider failures to retry, and how long to wait. Pure functions."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, replace

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}
FATAL_STATUS = {401, 403}


@dataclass(frozen=True)
class Failure:
    """A classified provider failure."""

    kind: str
    """`retryable` (429, 5xx, timeouts, dropped connections, garbled bodies), `fatal`
    (authentication: stop the run) or `permanent` (this request will not work)."""
    status: int | None
    retry_after_s: float | None
    message: str
    batch_id: str | None = None
    """The provider batch job a failed batch line came back in (None: a direct call)."""


# Failures every further call would repeat: stop the run at once, with one line.
FATAL_NAMES = (
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "UnsupportedParamsError",
)
# This request will not work however often it is sent (other requests may).
PERMANENT_NAMES = (
    "BadRequestError",
    "UnprocessableEntityError",
    "ContextWindowExceededError",
    "ContentPolicyViolationError",
    "InvalidRequestError",
    "ReplyTooLarge",
    "BatchFailed",
)
_RETRYABLE_NAMES = (
    "Timeout",
    "APIConnectionError",
    "APIResponseValidationError",
    "RateLimitError",
    "ServiceUnavailableError",
    "InternalServerError",
)


def classify(exc: BaseException) -> Failure:
    """`fatal` (auth, unknown model, unsupported parameter: stop the run), `permanent` (bad
    request, context window exceeded: this call fails, no retry) or `retryable`."""
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    name = type(exc).__name__
    message = " ".join(f"{name}: {exc}".split())  # one line, whatever the provider sent
    batch_id = getattr(exc, "batch_id", None)
    if isinstance(batch_id, str):
        return replace(_classify(exc, status, name, message), batch_id=batch_id)
    return _classify(exc, status, name, message)


def _classify(exc: BaseException, status: int | None, name: str, message: str) -> Failure:
    retry_after = retry_after_seconds(exc)
    if status in FATAL_STATUS or name in FATAL_NAMES or status == 404:
        return Failure("fatal", status, None, message)
    if "missing credentials" in message.lower() or "api_key client option must be set" in message:
        # LiteLLM reports a missing key as a server error; no retry will find one.
        return Failure("fatal", status, None, message)
    if name in PERMANENT_NAMES or is_context_window(message):
        return Failure("permanent", status, None, message)
    if name in _RETRYABLE_NAMES:
        return Failure("retryable", status, retry_after, message)
    if status in RETRYABLE_STATUS or status is None or status >= 500:
        return Failure("retryable", status, retry_after, message)
    return Failure("permanent", status, None, message)


def is_context_window(message: str) -> bool:
    """Whether an error says the prompt is longer than the model's context window."""
    text = message.lower()
    return "contextwindowexceeded" in text or (
        "context" in text and any(w in text for w in ("too long", "exceed", "maximum context"))
    )


def retry_after_seconds(exc: BaseException) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header on the error's response, if any."""
    headers = None
    response = getattr(exc, "response", None)
    if response is not None:
        headers = getattr(response, "headers", None)
    headers = (
        headers or getattr(exc, "litellm_response_headers", None) or getattr(exc, "headers", None)
    )
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
    except AttributeError:
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def backoff_s(
    attempt: int,
    base_s: float,
    max_s: float,
    retry_after_s: float | None,
    rng: random.Random | None = None,
) -> float:
    """Exponential backoff with jitter for the `attempt`-th retry (1-based); never shorter than Retry-After."""
    rng = rng or random
    delay = min(max_s, base_s * 2 ** (attempt - 1)) * rng.uniform(0.5, 1.0)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, max_s))
    return delay
