"""OpenAI-format endpoints through LiteLLM's real OpenAI-compatible code, over real HTTP to
test servers on 127.0.0.1, one full round each with a plain config (model, api_base, prices):
OpenAI Chat Completions with `response_format` json_schema; a vLLM-style server that takes
only `guided_json`; a reasoning model (o-series) that refuses `temperature` and `max_tokens`,
with the probe and without it."""

from __future__ import annotations

import json

import pytest

import workbench
from tests.support import cli
from tests.support.chat_server import ChatServer
from tests.support.conformance import (
    DOCUMENTS,
    PRICES,
    cache_priced,
    check_round,
    one_round,
    priced,
    run_requests,
    write_config,
)
from tests.support.reasoning_server import THINKING, ReasoningServer
from tests.support.vllm_server import VllmServer
from workbench.config import ROLES

pytestmark = pytest.mark.slow  # a full round through LiteLLM: over 10 s


@pytest.fixture
def servers():
    made = []

    def make(kind):
        made.append(kind())
        return made[-1]

    yield make
    for s in made:
        s.stop()


def plain(server, provider="openai", **extra) -> dict:
    return {
        role: {"model": f"{provider}/{role}", "api_base": server.api_base, **PRICES, **extra}
        for role in ROLES
    }


def test_openai_chat_completions_with_json_schema(servers, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    server = servers(lambda: ChatServer(lambda fmt: None))
    run = one_round(tmp_path, write_config(tmp_path, plain(server)))
    answered = check_round(run, structured="json_schema")
    assert all(c["cost_usd"] == pytest.approx(priced(c, PRICES)) for c in answered)
    formats = [b["response_format"] for b in run_requests(server) if "response_format" in b]
    assert formats and {f["type"] for f in formats} == {"json_schema"}
    assert not [c for c in run.records("calls") if c["error"]]


def test_a_vllm_server_that_takes_only_guided_json(servers, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    server = servers(VllmServer)
    run = one_round(tmp_path, write_config(tmp_path, plain(server, "hosted_vllm")))
    answered = check_round(run, structured="guided_json")
    assert all(c["cost_usd"] == pytest.approx(priced(c, PRICES)) for c in answered)
    # The probe found the mode (two refusals per structured endpoint); the run sent
    # guided_json at the top of the body and no response_format at all.
    assert not [c for c in run.records("calls") if c["error"] and c["role"] != "probe"]
    tasks = [b for b in run_requests(server) if b["model"] == "challenger"]
    assert tasks and all("response_format" not in b for b in tasks)
    assert all(b["guided_json"]["type"] == "object" for b in tasks)
    memory = json.loads((tmp_path / "cache" / "structured_modes.json").read_text())
    assert memory[f"hosted_vllm/challenger|{server.api_base}"] == "guided_json"


def reasoning_config(server) -> dict:
    """What a user copies from an example: a temperature and a cap on every role."""
    return plain(server, temperature=0.3, max_tokens=2048)


def check_adapted(run, server) -> list[dict]:
    answered = check_round(run, structured="json_schema")
    for c in answered:
        assert c["reasoning_tokens"] == THINKING < c["completion_tokens"]
        assert c["cost_usd"] == pytest.approx(priced(c, PRICES))  # reasoning as completion
    assert run.summary["reasoning_tokens"] >= THINKING * len(answered)
    sent = [b for b in run_requests(server) if "max_completion_tokens" in b]
    assert sent and all("temperature" not in b and "max_tokens" not in b for b in sent)
    return answered


def test_a_reasoning_model_is_adapted_by_the_probe(servers, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    server = servers(ReasoningServer)
    config = write_config(tmp_path, reasoning_config(server))
    result = cli(
        "run",
        *map(str, DOCUMENTS),
        "--config",
        str(config),
        "--out",
        str(tmp_path / "run"),
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stderr.splitlines() if line.startswith("openai/")]
    assert len(table) == len(ROLES), result.stderr
    assert all(line.endswith("no temperature, max_completion_tokens") for line in table)
    run = workbench.load_run(tmp_path / "run")
    # Every refusal happened in the probe: the run's own calls were adapted from the start.
    assert not [c for c in run.records("calls") if c["error"] and c["role"] != "probe"]
    check_adapted(run, server)
    memory = json.loads((tmp_path / "cache" / "endpoint_params.json").read_text())
    assert memory[f"openai/judge|{server.api_base}"] == ["no_temperature", "max_completion_tokens"]


def test_a_reasoning_model_is_adapted_without_the_probe(servers, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    server = servers(ReasoningServer)
    run = one_round(tmp_path, write_config(tmp_path, reasoning_config(server)), probe=False)
    check_adapted(run, server)
    refused = [c for c in run.records("calls") if c["error"]]
    # Each endpoint's first calls are refused (once per parameter; a few calls are in flight at
    # once): not retries, no tokens, no cost; each refused call is then answered, adapted.
    assert refused and all(c["prompt_tokens"] is None and not c["cost_usd"] for c in refused)
    assert all(c["attempt"] == 1 for c in refused)
    calls: dict[tuple, list[dict]] = {}
    for c in run.records("calls"):
        key = (c["role"], c["doc_id"], c["round"], c["rollout"], c["side"], c["reask"])
        calls.setdefault(key, []).append(c)
    for key, lines in calls.items():
        assert sum(bool(c["error"]) for c in lines) <= 2, key
        assert not lines[-1]["error"], key


@pytest.mark.parametrize("client", ["http", "litellm"])
def test_cached_prompt_tokens_are_read_back_and_priced(servers, tmp_path, monkeypatch, client):
    """OpenAI's automatic prompt caching: `usage.prompt_tokens_details.cached_tokens` read by
    the lean http client and by LiteLLM's OpenAI code into calls.jsonl, priced at the cached
    input price, and summed as cache savings."""
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    server = servers(lambda: ChatServer(lambda fmt: None, prompt_cache=(256, 64)))
    prices = {**PRICES, "cache_read_input_token_cost": 5e-7}
    models = {r: {**spec, **prices, "client": client} for r, spec in plain(server).items()}
    run = one_round(tmp_path, write_config(tmp_path, models))
    answered = check_round(run, structured="json_schema")
    assert {c["client"] for c in answered} == {client}
    calls = [c for c in run.records("calls") if not c["error"]]
    # Every cached token the server reported is in calls.jsonl, call by call in total.
    reported = sum(u["prompt_tokens_details"]["cached_tokens"] for u in server.usages)
    assert reported > 0
    assert sum(c["cached_prompt_tokens"] for c in calls) == reported
    hits = [c for c in answered if c["cached_prompt_tokens"]]
    # The judge's prompts for one task share their start (context, question, rubric).
    assert {c["role"] for c in hits} >= {"judge"}
    assert all(c["cached_prompt_tokens"] % 64 == 0 for c in hits)
    for c in answered:
        assert c["cache_creation_tokens"] == 0
        assert c["cost_usd"] == pytest.approx(cache_priced(c, prices))
        saved = c["cached_prompt_tokens"] * (prices["input_cost_per_token"] - 5e-7)
        assert c["cache_savings_usd"] == pytest.approx(saved)
    s = run.summary
    assert s["cached_prompt_tokens"] == reported
    assert s["cache_savings_usd"] == pytest.approx(
        reported * (prices["input_cost_per_token"] - 5e-7), abs=1e-6
    )
    assert s["cost_usd"] == pytest.approx(sum(c["cost_usd"] for c in calls), abs=1e-6)
