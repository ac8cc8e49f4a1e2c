"""The run's client choice covers every judge panel member (Ray workers get it pinned)."""

import json

from workbench.config import load_config
from workbench.engines._client import pinned, run_clients

BASE = "http://127.0.0.1:9/v1"


def test_every_member_gets_a_client_and_keeps_it_when_pinned():
    judges = [
        {"model": "openai/a", "api_base": BASE},
        {"model": "anthropic/claude-3-5-haiku"},
    ]
    cfg = load_config(None, [f"models.judge={json.dumps(judges)}"])
    clients = run_clients(cfg, None)
    assert clients["openai/a|" + BASE] == "http"
    assert clients["anthropic/claude-3-5-haiku|"] == "litellm"
    fixed = pinned(cfg, clients)
    assert fixed.models.panel
    assert [(s.model, s.client) for s in fixed.models.specs("judge")] == [
        ("openai/a", "http"),
        ("anthropic/claude-3-5-haiku", "litellm"),
    ]
