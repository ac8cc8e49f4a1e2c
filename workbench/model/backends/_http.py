"""A lean path to OpenAI-compatible endpoints: one aiohttp POST per call, no LiteLLM.

It carries an `openai/` model with an `api_base` (vLLM, llama.cpp, Ollama, the served
simulator, or OpenAI itself) under `client = "http"`, and under `client = "auto"` (the
default) once the preflight probe has had an answer over it. It takes the same
request as the LiteLLM path and returns the same `Reply`; failures carry
`status_code` and `headers`, so retries, Retry-After and the circuit breaker treat
them exactly as LiteLLM's. It exists for throughput: LiteLLM spends several
milliseconds of CPU per call, which caps a 2-core machine near 100 calls/s.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

# LiteLLM-only keywords that are not part of the OpenAI request body.
_NOT_BODY = {
    "model",
    "api_base",
    "api_key",
    "timeout",
    "drop_params",
    "max_retries",
    "extra_body",
    "extra_headers",
}


class HTTPStatusError(Exception):
    """A non-2xx reply; `status_code` and `headers` as the retry policy expects."""

    def __init__(self, status_code: int, headers: Any, body: str):

        super().__init__(f"HTTP {status_code}: {_shown(body, 300)}")
        self.status_code = status_code
        self.headers = headers


def _shown(text: str, limit: int = 200) -> str:
    """A reply excerpt for an error message: redacted first, then cut (a key split by the cut
    would no longer be recognised)."""
    from workbench.model._secrets import redact

    return redact(text)[:limit]


class MalformedResponse(Exception):
    """A 2xx reply that is not a chat completion (truncated or junk body): retried."""


def request_body(request: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of /chat/completions for a LiteLLM-style request; `extra_body` is merged
    into it, as the OpenAI SDK does (vLLM's `guided_json`, ...). Pure."""
    body = {k: v for k, v in request.items() if k not in _NOT_BODY and v is not None}
    extra = request.get("extra_body")
    if isinstance(extra, dict):
        body.update(extra)
    body["model"] = request["model"].removeprefix("openai/")
    return body


def request_headers(request: dict[str, Any]) -> dict[str, str]:
    """The request's HTTP headers: JSON, the key as a bearer token, and `extra_headers`. Pure."""
    headers = {"Content-Type": "application/json"}
    extra = request.get("extra_headers")
    if isinstance(extra, dict):
        headers.update({str(k): str(v) for k, v in extra.items()})
    if request.get("api_key"):
        headers["Authorization"] = f"Bearer {request['api_key']}"
    return headers


def parse_reply(data: Any):
    """A `Reply` from a decoded /chat/completions body, or MalformedResponse. Pure."""
    from workbench.model._reply import checked_reply

    try:
        choice = data["choices"][0]
        text = choice["message"].get("content")
        finish = choice.get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise MalformedResponse(f"not a chat completion: {_shown(str(data))}") from None
    usage = data.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    details = usage.get("completion_tokens_details")
    thinking = details.get("reasoning_tokens") if isinstance(details, dict) else None
    prompt = usage.get("prompt_tokens_details")
    prompt = prompt if isinstance(prompt, dict) else {}
    return checked_reply(
        text,
        finish,
        usage.get("prompt_tokens"),
        usage.get("completion_tokens"),
        thinking,
        # OpenAI's field; DeepSeek's own name for the same count where it is not given.
        prompt.get("cached_tokens", usage.get("prompt_cache_hit_tokens")),
        prompt.get("cache_write_tokens"),
    )


class HttpBackend:
    """Posts requests with one pooled aiohttp session, opened on first use in the running loop."""

    def __init__(self) -> None:
        self._session: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _session_for_loop(self) -> Any:
        import aiohttp

        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # Our own semaphores and token buckets bound what is in flight: no pool cap here.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0), json_serialize=json.dumps
            )
            self._loop = loop
        return self._session

    async def __call__(self, **request: Any):
        import aiohttp

        session = self._session_for_loop()
        headers = request_headers(request)
        url = request["api_base"].rstrip("/") + "/chat/completions"
        timeout = aiohttp.ClientTimeout(total=request.get("timeout"))
        async with session.post(
            url, json=request_body(request), headers=headers, timeout=timeout
        ) as response:
            raw = await _read_capped(response)
            if response.status >= 400:
                text = raw.decode("utf-8", "replace")
                raise HTTPStatusError(response.status, response.headers, text)
        try:
            data = json.loads(raw)
        except ValueError:
            raise MalformedResponse(
                f"body is not JSON: {_shown(raw.decode('utf-8', 'replace'))}"
            ) from None
        return parse_reply(data)

    async def aclose(self) -> None:
        """Close the session (only from the loop that opened it)."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            try:
                if self._loop is asyncio.get_running_loop():
                    await session.close()
            except RuntimeError:  # no running loop
                pass


async def _read_capped(response: Any) -> bytes:
    """The body, refusing one larger than a reply may be (checked while reading, not after)."""
    from workbench.model._reply import MAX_REPLY_CHARS, ReplyTooLarge

    cap = 4 * MAX_REPLY_CHARS + 65_536  # JSON escapes and the envelope around the text
    if (response.content_length or 0) > cap:
        raise ReplyTooLarge(f"response body of {response.content_length:,} bytes")
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > cap:
            raise ReplyTooLarge(f"response body over {cap:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
