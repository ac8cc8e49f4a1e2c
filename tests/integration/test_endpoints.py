"""Plain configs against endpoints that refuse some structured-output modes, through real
LiteLLM over real HTTP: the run negotiates a mode, records it, and goes on; an unknown
model stops the run in one line, without a retry storm.

The test server speaks OpenAI Chat Completions on 127.0.0.1 and answers as the simulator
would for the role its model is named after (`openai/challenger` -> `sim/challenger`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from aiohttp import web

import workbench
from tests.support import DOCS, cli, free_port
from workbench.providers.sim import check_model
from workbench.providers.sim._respond import respond

pytestmark = pytest.mark.slow
ROLES = ("challenger", "verifier", "weak", "strong", "judge")
DOC = DOCS / "article-iii.txt"

LLAMA_CPP_400 = {
    "error": {
        "message": "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
        "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]",
        "type": "invalid_request_error",
        "code": 400,
    }
}


def llama_cpp(fmt: dict | None) -> tuple[int, dict] | None:
    """llama.cpp's server: json_object (with or without a schema), never json_schema."""
    if fmt and fmt.get("type") == "json_schema":
        return 400, LLAMA_CPP_400
    return None


def schema_free(fmt: dict | None) -> tuple[int, dict] | None:
    """A server that refuses every response_format, each with a different status and body."""
    if not fmt:
        return None
    if fmt.get("type") == "json_schema":
        return 422, {
            "detail": [{"loc": ["body", "response_format"], "msg": "json_schema not allowed"}]
        }
    if "schema" in fmt:
        return 400, {"error": {"message": "response_format.schema is not supported"}}
    return 500, {"error": {"message": "validation error: response_format json_object unsupported"}}


class ChatServer:
    """An OpenAI-compatible chat server in a thread; `policy(response_format)` may refuse."""

    def __init__(self, policy):
        self.policy = policy
        self.requests: list[dict] = []
        self.port = free_port()
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("test server did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        model = str(body.get("model", ""))
        try:
            check_model(model)
        except ValueError:
            error = {"message": f"The model `{model}` does not exist", "code": "model_not_found"}
            return web.json_response({"error": error}, status=404)
        refused = self.policy(body.get("response_format"))
        if refused is not None:
            status, payload = refused
            return web.json_response(payload, status=status)
        reply = respond(f"sim/{model}", body["messages"], body.get("seed"), body.get("max_tokens"))
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.text},
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": reply.prompt_tokens,
                    "completion_tokens": reply.completion_tokens,
                    "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                },
            }
        )

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def server(request):
    s = ChatServer(request.param)
    yield s
    s.stop()


def plain_config(api_base: str, **kw) -> dict:
    """`model` and `api_base` per role, nothing else."""
    models = {r: {"model": f"openai/{r}", "api_base": api_base} for r in ROLES}
    return {"models": models, "max_rounds": 2, "rollouts": 3, **kw}


@pytest.mark.parametrize(
    "server, mode",
    [(llama_cpp, "json_object_schema"), (schema_free, "prompt")],
    indirect=["server"],
)
def test_a_plain_config_negotiates_the_mode_and_runs(server, mode, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    run = workbench.run([DOC], plain_config(server.api_base), out=tmp_path / "run")
    assert run.summary["status"] == "complete"
    decisions = [r["decision"] for r in run.records("rounds")]
    assert decisions and set(decisions) != {"error"}, decisions
    calls = run.records("calls")
    structured = [c for c in calls if c["role"] in ("challenger", "verifier", "judge")]
    answered = [c for c in structured if not c["error"]]
    assert answered and {c["structured_output"] for c in answered} == {mode}
    # Each role's endpoint was refused at most once per mode above the one that works.
    refused = [c for c in structured if c["error"]]
    assert all(c["prompt_tokens"] is None and not c["cost_usd"] for c in refused)
    assert len(refused) <= 3 * 3
    assert all(c["structured_output"] is None for c in calls if c["role"] in ("weak", "strong"))
    memory = json.loads((tmp_path / "cache" / "structured_modes.json").read_text())
    assert memory[f"openai/challenger|{server.api_base}"] == mode
    # A later run starts at the remembered mode: no refusal at all.
    again = workbench.run([DOC], plain_config(server.api_base, seed=1), out=tmp_path / "again")
    assert not [c for c in again.records("calls") if c["error"]]


@pytest.mark.parametrize("server", [llama_cpp], indirect=True)
def test_an_explicit_mode_is_used_as_given(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    cfg = plain_config(server.api_base, max_rounds=1)
    for role in ROLES:
        cfg["models"][role]["structured_output"] = "json_object_schema"
    run = workbench.run([DOC], cfg, out=tmp_path / "run")
    assert not [c for c in run.records("calls") if c["error"]]
    assert all(
        r["response_format"]["type"] == "json_object"
        for r in server.requests
        if "response_format" in r
    )


@pytest.mark.parametrize("server", [llama_cpp], indirect=True)
def test_an_unknown_model_is_one_line_exit_3_and_no_retry_storm(server, tmp_path):
    config = tmp_path / "config.toml"
    lines = ["max_rounds = 3", "rollouts = 3"]
    for role in ROLES:
        name = "nope" if role == "challenger" else role
        lines += [f"[models.{role}]", f'model = "openai/{name}"', f'api_base = "{server.api_base}"']
    config.write_text("\n".join(lines) + "\n")
    result = cli(
        "run",
        str(DOC),
        "--config",
        str(config),
        "--out",
        str(tmp_path / "run"),
        "--quiet",
        "--no-probe",  # the probe would stop it first (tests/integration/test_probe.py)
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("workbench:")]
    assert len(errors) == 1, result.stderr
    assert "model openai/nope not found" in errors[0] and "fatal_error" in errors[0]
    assert len(server.requests) <= 2, [r["model"] for r in server.requests]
