"""The wire side of batch jobs: where a batch goes (`Endpoint`), the provider's Files and
Batches calls through LiteLLM (`LiteLLMBatches`), and reading an output or error file
(`parse_output`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.model._reply import Reply
from workbench.model.backends._http import parse_reply


@dataclass(frozen=True)
class Endpoint:
    """Where a batch goes: one provider account and one model per batch."""

    provider: str
    api_base: str | None
    api_key: str | None = field(repr=False)
    model: str


class BatchItemError(Exception):
    """A batch line that came back with an error: classified like the HTTP error it carries."""

    def __init__(self, message: str, status_code: int | None, batch_id: str):
        super().__init__(message)
        self.status_code = status_code
        self.batch_id = batch_id


def parse_output(data: bytes, batch_id: str) -> dict[str, Reply | Exception]:
    """A batch output or error file: each line's reply, or the error it came back with.
    Untrusted: a line that is not what the protocol says is an error for that line. Pure."""
    results: dict[str, Reply | Exception] = {}
    for raw in data.decode("utf-8", "replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
            continue
        results[line["custom_id"]] = _line_result(line, batch_id)
    return results


def _line_result(line: dict[str, Any], batch_id: str) -> Reply | Exception:
    response = line.get("response") if isinstance(line.get("response"), dict) else {}
    status = response.get("status_code")
    body = response.get("body")
    if line.get("error") or not isinstance(status, int) or status >= 400:
        error = line.get("error") or (body.get("error") if isinstance(body, dict) else None)
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
        else:
            code, message = None, error
        text = " ".join(str(message or "the request failed").split())[:300]
        prefix = f"HTTP {status}: " if isinstance(status, int) else ""
        named = f" [{code}]" if code else ""
        return BatchItemError(f"{prefix}{text}{named}", status, batch_id)
    try:
        return replace(parse_reply(body), batch_id=batch_id)
    except Exception as exc:  # a 200 line that is not a chat completion: retried like one
        return BatchItemError(f"{type(exc).__name__}: {exc}", None, batch_id)


class LiteLLMBatches:
    """The Files and Batches calls through LiteLLM (`acreate_file`, `acreate_batch`,
    `aretrieve_batch`, `afile_content`), for providers LiteLLM creates batches for."""

    async def upload(self, endpoint: Endpoint, data: bytes) -> str:
        litellm = _litellm()
        created = await litellm.acreate_file(
            file=("batch.jsonl", data, "application/jsonl"),
            purpose="batch",
            **_where(endpoint),
        )
        return str(created.id)

    async def create(self, endpoint: Endpoint, file_id: str) -> dict[str, Any]:
        batch = await _litellm().acreate_batch(
            completion_window="24h",
            endpoint="/v1/chat/completions",
            input_file_id=file_id,
            metadata={"source": "workbench"},
            **_where(endpoint),
        )
        return _as_dict(batch)

    async def retrieve(self, endpoint: Endpoint, batch_id: str) -> dict[str, Any]:
        return _as_dict(await _litellm().aretrieve_batch(batch_id=batch_id, **_where(endpoint)))

    async def content(self, endpoint: Endpoint, file_id: str) -> bytes:
        reply = await _litellm().afile_content(file_id=file_id, **_where(endpoint))
        return bytes(reply.content)


def _where(endpoint: Endpoint) -> dict[str, Any]:
    where: dict[str, Any] = {"custom_llm_provider": endpoint.provider, "max_retries": 0}
    if endpoint.api_base:
        where["api_base"] = endpoint.api_base
    if endpoint.api_key:
        where["api_key"] = endpoint.api_key
    return where


def _as_dict(batch: Any) -> dict[str, Any]:
    data = batch.model_dump() if hasattr(batch, "model_dump") else dict(batch)
    return {
        k: data.get(k)
        for k in ("id", "status", "output_file_id", "error_file_id", "errors", "request_counts")
    }


def _litellm() -> Any:
    from workbench.model.backends._litellm import get_litellm

    return get_litellm()
