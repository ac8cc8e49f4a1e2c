"""Helpers shared by the tests: paths, the CLI in a subprocess, loopback servers, extras."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "examples" / "docs"
FIXTURES = ROOT / "tests" / "fixtures"


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


def require(module: str, extra: str):
    """Import an optional dependency: skipped when absent, unless scripts/test (which installs
    every extra) says they must all be there."""
    if os.environ.get("WORKBENCH_REQUIRE_EXTRAS") == "1":
        import importlib

        return importlib.import_module(module)
    return pytest.importorskip(
        module, reason=f"needs the {extra} extra (pip install -e '.[{extra}]')"
    )
