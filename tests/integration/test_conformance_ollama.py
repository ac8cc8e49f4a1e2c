"""Ollama's `/api/chat` through LiteLLM's real `ollama_chat/` code, over real HTTP to a
protocol-faithful test server (tests/support/ollama_server.py): one full round, with the
JSON schema sent as `format`, a plain config (model and api_base only, prices for cost)."""

from __future__ import annotations

import pytest

from tests.support.conformance import (
    PRICES,
    ROLES,
    check_round,
    one_round,
    priced,
    run_requests,
    write_config,
)
from tests.support.ollama_server import OllamaServer
from workbench.roles import Task

pytestmark = pytest.mark.slow  # a full round through LiteLLM: over 10 s


@pytest.fixture
def server():
    s = OllamaServer()
    yield s
    s.stop()


def test_one_round_over_api_chat(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    models = {
        role: {"model": f"ollama_chat/{role}", "api_base": server.api_base, **PRICES}
        for role in ROLES
    }
    run = one_round(tmp_path, write_config(tmp_path, models))
    answered = check_round(run, structured="json_schema")
    assert all(c["cost_usd"] == pytest.approx(priced(c, PRICES)) for c in answered)
    # The schema went as `format`, a JSON schema object; free-text calls sent none.
    tasks = [b for b in server.requests if b["model"] == "challenger"]
    assert tasks and all(isinstance(b["format"], dict) for b in tasks)
    assert set(tasks[-1]["format"]["properties"]) >= set(Task.model_fields) - {"repairs"}
    solving = [b for b in run_requests(server) if b["model"] in ("weak", "strong")]
    assert solving and all(not b.get("format") for b in solving)
    assert all(b["stream"] is False for b in server.requests)
