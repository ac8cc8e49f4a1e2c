"""Shared fixtures (helpers live in tests/support)."""

from __future__ import annotations

import os

import pytest

from tests.support import Server
from tests.support.fakes import FakeBackend


@pytest.fixture
def fake():
    return FakeBackend()


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The default job (bundled documents, sim, seed 0), run once per session."""
    import workbench

    out = tmp_path_factory.mktemp("default") / "run"
    return workbench.run(out=out)


@pytest.fixture(scope="session")
def sim_server():
    server = Server("--model", "sim")
    yield server
    server.stop()


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Tests never touch the user's call cache."""
    os.environ["WORKBENCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("call-cache"))
