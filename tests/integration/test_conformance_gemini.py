"""Gemini `generateContent` through LiteLLM's real Gemini code, over real HTTP to a
protocol-faithful test server (tests/support/gemini_server.py): one full round. The server
refuses a `responseSchema` with keys outside Gemini's subset (`additionalProperties`, ...),
so this fails if the schemas we send are not ones Gemini takes."""

from __future__ import annotations

import pytest

from tests.support.conformance import PRICES, ROLES, check_round, one_round, priced, write_config
from tests.support.gemini_server import GeminiServer

pytestmark = pytest.mark.slow  # a full round through LiteLLM: over 10 s

# Real names, so LiteLLM takes their paths (`-latest` aliases: responseSchema, 2.x:
# responseJsonSchema)
# and prices them from its own price map; 2.5 models think.
NAMES = {
    "challenger": "gemini-flash-latest",
    "verifier": "gemini-2.5-flash-lite",
    "weak": "gemini-2.0-flash",
    "strong": "gemini-2.5-pro",
    "judge": "gemini-2.5-flash",
}
KEY = "AIza-conformance"


@pytest.fixture
def server():
    s = GeminiServer({name: role for role, name in NAMES.items()}, key=KEY)
    yield s
    s.stop()


def test_one_round_over_generate_content(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WB_GEMINI_KEY", KEY)
    models = {
        role: {
            "model": f"gemini/{NAMES[role]}",
            "api_base": server.api_base,
            "api_key_env": "WB_GEMINI_KEY",
        }
        for role in ROLES
    }
    models["weak"].update(PRICES)  # 2.0 has left LiteLLM's price map
    run = one_round(tmp_path, write_config(tmp_path, models))
    answered = check_round(run, structured="json_schema")

    sent = [
        (b.get("generationConfig") or b.get("generation_config") or {}) for b in server.requests
    ]
    # Every structured call carried a schema Gemini takes (the server refused the others).
    assert any("response_schema" in g or "responseSchema" in g for g in sent)
    assert any("response_json_schema" in g or "responseJsonSchema" in g for g in sent)
    for c in answered:  # the config's prices, else LiteLLM's price map (it knows these names)
        if c["role"] == "weak":
            assert c["cost_usd"] == pytest.approx(priced(c, PRICES))
    thinking = [c for c in answered if "2.5" in c["model"]]
    assert thinking and all(c["reasoning_tokens"] == 24 for c in thinking)
    plain = [c for c in answered if "2.5" not in c["model"]]
    assert plain and all(not c["reasoning_tokens"] for c in plain)
    assert run.summary["reasoning_tokens"] >= 24 * len(thinking)
