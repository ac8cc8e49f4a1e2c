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
