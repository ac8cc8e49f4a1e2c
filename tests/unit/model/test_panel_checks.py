"""Preflight checks cover every judge panel member: family warnings, keys, the probe."""

import json

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import load_config
from workbench.errors import ConfigError
from workbench.model import aprobe, check_models

PANEL = ["anthropic/claude-3-5-haiku", "openai/gpt-4o", "gemini/gemini-2.0-flash"]


def _panel(*sets: str, judges=PANEL):
    return load_config(None, [f"models.judge={json.dumps(judges)}", *sets])


def test_same_family_warning_names_each_panel_member(monkeypatch):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(name, "k-test-000000")
    warnings = check_models(_panel("models.strong=openai/gpt-4o-mini"), probe_endpoints=False)
    assert len(warnings) == 1 and "judge (openai/gpt-4o)" in warnings[0]
    both = ["openai/gpt-4o", "openai/o3-mini", "anthropic/claude-3-5-haiku"]
    warnings = check_models(
        _panel("models.strong=openai/gpt-4o-mini", judges=both), probe_endpoints=False
    )
    assert [w.split(")")[0] for w in warnings] == ["judge (openai/gpt-4o", "judge (openai/o3-mini"]


def test_a_member_without_its_key_is_named(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k-test-000000")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k-test-000000")
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"models\.judge\[2\]: gemini/gemini-2.0-flash needs"):
        check_models(_panel(), probe_endpoints=False)


def test_budget_usd_needs_a_price_for_every_member():
    priced = {"model": "openai/x", "input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6}
    free = [
        f"models.{role}.{side}_cost_per_token=0"
        for role in ("challenger", "verifier", "weak", "strong")
        for side in ("input", "output")
    ]
    cfg = _panel("budget.usd=1", *free, judges=[priced, "openai/unpriced-model-zz"])
    with pytest.raises(ConfigError, match=r"models\.judge\[1\] \(openai/unpriced-model-zz\)"):
        check_models(cfg, probe_endpoints=False, keys=False)


def test_the_probe_sends_one_request_to_every_member():
    fake = FakeBackend()
    for model in PANEL:
        fake.enqueue('{"ok": true}', model=model)
    probe = run_async(aprobe(_panel(), backend=fake))
    assert probe.ok
    assert [(r.model, r.roles) for r in probe.results] == [(m, ["judge"]) for m in PANEL]
    assert sorted(h["model"] for h in fake.history) == sorted(PANEL)
