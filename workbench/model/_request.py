"""Building a call's request: LiteLLM keyword arguments, structured output, the re-ask. Pure."""

from __future__ import annotations

from typing import Any

from workbench.config import ModelSpec
from workbench.inputs import text_tokens
from workbench.model._prompt import message_text
from workbench.model._reply import Reply

REASK = (
    "Your previous reply could not be used: {error}. Reply again with only the JSON object "
    "described above, complete and valid."
)


SCHEMA_IN_PROMPT = "\n\nReply with only a JSON object that matches this JSON schema:\n{schema}\n"


def build_request(
    spec: ModelSpec,
    messages: list[dict],
    schema: dict[str, Any] | None,
    seed: int,
    name: str = "output",
    mode: str | None = None,
) -> dict[str, Any]:
    """The LiteLLM keyword arguments for a call (without the key). Pure.

    `mode`: the structured-output mode to ask for (default: the spec's, else `json_schema`)."""
    request: dict[str, Any] = {
        "model": spec.model,
        "messages": messages,
        "seed": seed,
        "timeout": spec.timeout_s,
        "drop_params": True,
        "max_retries": 0,  # retries are ours (one policy for every provider), not the SDK's
        **spec.extra,
    }
    if spec.api_base:
        request["api_base"] = spec.api_base
    if spec.temperature is not None:
        request["temperature"] = spec.temperature
    if spec.max_tokens is not None:
        request["max_tokens"] = spec.max_tokens
    if schema is not None:
        chosen = mode or spec.structured_output or "json_schema"
        fmt = response_format(chosen, schema, name)
        if fmt is not None:
            request["response_format"] = fmt
        if chosen == "guided_json":
            # vLLM reads it at the top of the body, where the OpenAI SDK puts `extra_body`.
            request["extra_body"] = {**(request.get("extra_body") or {}), "guided_json": schema}
    return request


SCHEMA_IN_PROMPT_MODES = ("guided_json", "json_object", "prompt")
"""Modes whose requests also carry the schema in the prompt: nothing else carries it, or (for
`guided_json`) a server that does not know the field ignores it silently."""


def completion_cap_key(request: dict[str, Any]) -> str:
    """The key holding a request's completion cap (`max_completion_tokens` once adapted)."""
    return "max_completion_tokens" if "max_completion_tokens" in request else "max_tokens"


def response_format(
    mode: str, schema: dict[str, Any], name: str = "output"
) -> dict[str, Any] | None:
    """The `response_format` for a structured-output mode."""
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": name or "output", "schema": schema, "strict": False},
        }
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def reask_request(request: dict, reply: Reply, error: str) -> dict:
    """The request for the single re-ask: more room if cut off, else the validation error."""
    again = dict(request)
    if reply.finish_reason == "length":
        key = completion_cap_key(request)
        room = request.get(key) or max(reply.completion_tokens or 0, 1024)
        again[key] = int(room) * 2
    again["messages"] = [
        *request["messages"],
        {"role": "assistant", "content": reply.text},
        {"role": "user", "content": REASK.format(error=error)},
    ]
    return again


DEFAULT_COMPLETION_CAP = 4096


def estimate_tokens(request: dict[str, Any]) -> tuple[int, int]:
    """An upper-bound guess of a request's (prompt, completion) tokens, before sending it."""
    text = "".join(str(message_text(m.get("content", ""))) for m in request["messages"])
    prompt = text_tokens(text) + 16 * len(request["messages"]) + 16
    return prompt, int(request.get(completion_cap_key(request)) or DEFAULT_COMPLETION_CAP)
