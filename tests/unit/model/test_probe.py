"""The preflight probe with a scripted backend: which endpoints, what is recorded, and the
one-line failures."""

import json

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import load_config
from workbench.errors import ConfigError
from workbench.model import aprobe, format_table
from workbench.model._structured import StructuredModes
from workbench.records._types import CallRecord


def named(name, status, message):
    return type(name, (Exception,), {"status_code": status})(message)


def config(**models):
    sets = []
    for role, model in models.items():
        sets += [f"models.{role}.model={model}"]
    return load_config(None, sets)


def test_a_sim_only_config_sends_nothing():
    fake = FakeBackend()  # raises if called
    probe = run_async(aprobe(load_config(None), backend=fake))
    assert probe.results == [] and probe.records == [] and fake.history == []
    assert probe.ok and probe.error() is None


def test_one_request_per_distinct_endpoint_recorded_as_probe(tmp_path):
    cfg = config(challenger="openai/a", verifier="openai/a", weak="openai/b")
    fake = FakeBackend()
    fake.enqueue('{"ok": true}', model="openai/a")
    fake.enqueue('{"ok": true}', model="openai/b")
    modes = StructuredModes(tmp_path / "structured_modes.json")
    probe = run_async(aprobe(cfg, backend=fake, modes=modes))
    assert probe.ok
    assert [(r.model, r.roles) for r in probe.results] == [
        ("openai/a", ["challenger", "verifier"]),
        ("openai/b", ["weak"]),
    ]
    assert len(fake.history) == 2
    assert all(h["max_tokens"] <= 16 and h["response_format"] for h in fake.history)
    for record in probe.records:
        CallRecord.model_validate(record)  # what the run's calls.jsonl will hold
        assert record["role"] == "probe" and record["doc_id"] == "preflight"
    assert {r.structured_output for r in probe.results} == {"json_schema"}
    assert all(r.latency_s is not None and r.calls == 1 for r in probe.results)
    table = format_table(probe.results)
    assert "openai/a" in table and "challenger,verifier" in table and "json_schema" in table


def test_the_probe_negotiates_and_remembers_the_mode(tmp_path):
    cfg = config(weak="openai/llama")
    refusal = named("BadRequestError", 400, "response_format json_schema is not supported")
    fake = FakeBackend(refusal, '{"ok": true}')
    modes = StructuredModes(tmp_path / "structured_modes.json")
    (result,) = run_async(aprobe(cfg, backend=fake, modes=modes)).results
    assert result.ok and result.structured_output == "json_object_schema" and result.calls == 2
    saved = json.loads((tmp_path / "structured_modes.json").read_text())
    assert saved == {"openai/llama|": "json_object_schema"}


def test_failures_are_one_line_per_endpoint_and_not_retried():
    cfg = config(challenger="openai/a", weak="openai/b", strong="openai/c")
    fake = FakeBackend()
    fake.enqueue(named("AuthenticationError", 401, "Incorrect API key\nprovided"), model="openai/a")
    fake.enqueue(named("NotFoundError", 404, "The model `b` does not exist"), model="openai/b")
    fake.enqueue('{"ok": true}', model="openai/c")
    probe = run_async(aprobe(cfg, backend=fake))
    assert [r.ok for r in probe.results] == [False, False, True]
    assert len(fake.history) == 3  # fatal errors are not retried
    message = probe.error()
    assert "\n" not in message and message.count("; ") == 1
    assert "models.challenger (openai/a): the key was refused" in message
    assert "models.weak (openai/b): model not found" in message
    with pytest.raises(ConfigError, match="preflight probe failed"):
        probe.check()
