"""Which provider failures to retry, and how long to wait. Pure functions."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

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


def classify(exc: BaseException) -> Failure:
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    name = type(exc).__name__
    message = f"{name}: {exc}"
    retry_after = retry_after_seconds(exc)
    if status in FATAL_STATUS or name in ("AuthenticationError", "PermissionDeniedError"):
        return Failure("fatal", status, None, message)
    if "missing credentials" in message.lower() or "api_key client option must be set" in message:
        # LiteLLM reports a missing key as a server error; no retry will find one.
        return Failure("fatal", status, None, message)
    if name == "ReplyTooLarge":
        return Failure("permanent", status, None, message)
    if status in RETRYABLE_STATUS or status is None or status >= 500:
        return Failure("retryable", status, retry_after, message)
    if name in ("Timeout", "APIConnectionError", "APIResponseValidationError", "RateLimitError"):
        return Failure("retryable", status, retry_after, message)
    return Failure("permanent", status, None, message)


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
