"""Shared fakes and helpers. Fakes are for unit tests only; end-to-end tests use the real sim provider."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.llm import Reply

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "examples" / "docs"


class FakeBackend:
    """A scripted backend: `enqueue` replies (optionally per model), then inspect `history`."""

    def __init__(self, *replies: str | Reply | Exception):
        self.queue: list[str | Reply | Exception] = list(replies)
        self.routes: dict[str, list] = {}
        self.history: list[dict] = []

    def enqueue(self, *replies: str | Reply | Exception, model: str | None = None) -> None:
        if model is None:
            self.queue.extend(replies)
        else:
            self.routes.setdefault(model, []).extend(replies)

    def sent(self, model: str) -> list[str]:
        """The last user message of every request to `model`."""
        return [h["messages"][-1]["content"] for h in self.history if h["model"] == model]

    async def __call__(self, **request) -> Reply:
        self.history.append(request)
        queue = self.routes.get(request["model"], self.queue)
        if not queue:
            raise AssertionError(f"FakeBackend: no reply queued for {request['model']}")
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        if isinstance(item, str):
            return Reply(item, "stop", 10, len(item) // 4)
        return item


@pytest.fixture
def fake():
    return FakeBackend()


def run_async(coro):
    return asyncio.run(coro)


def cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run `python -m workbench ARGS` and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The default job (bundled documents, sim, seed 0), run once per session."""
    import workbench

    out = tmp_path_factory.mktemp("default") / "run"
    return workbench.run(out=out)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    import socket
    import time

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}") from None
            time.sleep(0.3)
    raise TimeoutError(f"nothing listening on {port} after {timeout_s}s")


class Server:
    """`workbench serve ...` in a subprocess on a free loopback port."""

    def __init__(self, *args: str, ready_timeout_s: float = 120, log=None):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", "serve", *args, "--port", str(self.port)],
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.proc, ready_timeout_s)
        self.api_base = f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict:
        import json
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats") as r:
            return json.load(r)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def sim_server():
    server = Server("--model", "sim")
    yield server
    server.stop()


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Tests never touch the user's call cache."""
    os.environ["WORKBENCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("call-cache"))


def require(module: str, extra: str):
    """Import an optional dependency: skipped when absent, unless scripts/test (which installs
    every extra) says they must all be there."""
    if os.environ.get("WORKBENCH_REQUIRE_EXTRAS") == "1":
        import importlib

        return importlib.import_module(module)
    return pytest.importorskip(
        module, reason=f"needs the {extra} extra (pip install -e '.[{extra}]')"
    )
