"""What a failed call tells the user, in one line: the document, the model, what to check."""

from __future__ import annotations

from workbench.config import ModelSpec
from workbench.model._reply import CallMeta
from workbench.model.guards import Failure
from workbench.model.guards._retry import is_context_window


def failed(spec: ModelSpec, meta: CallMeta, attempt: int, error: str) -> str:
    if is_context_window(error):
        window = context_window(spec)
        size = f" ({window:,} tokens)" if window else ""
        return (
            f"{meta.role}: document {meta.doc_id} is too long for {spec.model}'s context "
            f"window{size}: {error}"
        )
    return f"{meta.role} call to {spec.model} failed after {attempt} attempt(s): {error}"


def fatal_reason(spec: ModelSpec, meta: CallMeta, failure: Failure, error: str) -> str:
    where = f" at {spec.api_base}" if spec.api_base else ""
    if failure.status == 404 or "NotFoundError" in error:
        return f"{meta.role}: model {spec.model} not found{where} (check its name): {error}"
    if failure.status in (401, 403) or "AuthenticationError" in error:
        return f"{meta.role}: {spec.model}{where} refused the key (check api_key_env): {error}"
    return f"{meta.role} ({spec.model}): {error}"


def context_window(spec: ModelSpec) -> int | None:
    """The model's context window in tokens: the in-process `local/` models' context, else
    what LiteLLM's model map knows (None when unknown, and for the simulator)."""
    if spec.model.startswith("sim/"):
        return None
    if spec.model.startswith("local/"):
        from workbench.providers import LOCAL_CONTEXT_WINDOW

        return LOCAL_CONTEXT_WINDOW
    try:
        from workbench.model.backends import get_litellm

        info = get_litellm().get_model_info(spec.model)
        return int(info.get("max_input_tokens") or info.get("max_tokens") or 0) or None
    except Exception:
        return None
