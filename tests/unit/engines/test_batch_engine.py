"""The batch engine's checks before any call, and what a resumed run re-polls."""

from __future__ import annotations

import json

import pytest

from workbench.config import load_config
from workbench.engines._batch import BatchRun, check_batchable, pending_batches
from workbench.errors import ConfigError


def config(**models):
    sets = [f'models.{role}.model="{model}"' for role, model in models.items()]
    return load_config(None, ["engine=batch", *sets])


def test_simulated_and_openai_models_are_batchable():
    check_batchable(config())
    check_batchable(config(weak="openai/gpt-4o-mini", judge="gpt-4.1-mini"))


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("anthropic/claude-sonnet-4-5", "cannot create Anthropic message batches"),
        ("ollama/llama3", "no batch API here"),
        ("local/smollm2", "runs in this process"),
    ],
)
def test_models_without_a_batch_api_are_one_line(model, words):
    with pytest.raises(ConfigError, match=words) as caught:
        check_batchable(config(strong=model))
    assert "models.strong" in str(caught.value) and "\n" not in str(caught.value)


def test_pending_batches_are_those_submitted_and_never_used(tmp_path):
    lines = [
        {"event": "submitted", "batch_id": "b1", "model": "m", "requests": {"req-0": "k"}},
        {"event": "submitted", "batch_id": "b2", "model": "m", "requests": {"req-0": "k2"}},
        {"event": "used", "batch_id": "b1", "status": "completed"},
        {"event": "note", "message": "..."},
    ]
    (tmp_path / "batches.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"torn')
    assert [e["batch_id"] for e in pending_batches(tmp_path)] == ["b2"]
    assert pending_batches(tmp_path / "nowhere") == []


def test_loopback_batches_are_polled_quickly_and_providers_by_the_config(tmp_path):
    run = BatchRun(load_config(None, ["engine=batch", "batch.poll_s=30"]), tmp_path, quiet=True)
    local = run.endpoint_for({"model": "openai/x", "api_base": "http://127.0.0.1:9/v1"})
    remote = run.endpoint_for({"model": "openai/x", "api_key": "k"})
    assert run.poll(local)[0] < 0.1
    assert run.poll(remote) == (30.0, 300.0)
    run.notify("batch b1 failed")
    run.journal.close()
    assert json.loads((tmp_path / "batches.jsonl").read_text())["message"] == "batch b1 failed"


def test_a_torn_journal_line_is_cut_before_the_next_is_written(tmp_path):
    path = tmp_path / "batches.jsonl"
    path.write_text('{"event": "note", "message": "whole"}\n{"event": "subm')
    run = BatchRun(load_config(None, ["engine=batch"]), tmp_path, quiet=True)
    run.notify("next")
    run.journal.close()
    assert [json.loads(x)["message"] for x in path.read_text().splitlines()] == ["whole", "next"]


def test_a_resume_off_the_batch_engine_is_warned_of_unused_batches(tmp_path):
    from workbench.engines._api import _unused_batches

    assert _unused_batches(tmp_path) == []
    entry = {"event": "submitted", "batch_id": "b1", "model": "m", "requests": {"req-0": "k"}}
    (tmp_path / "batches.jsonl").write_text(json.dumps(entry) + "\n")
    (warning,) = _unused_batches(tmp_path)
    assert "1 batch job(s)" in warning and "--engine batch" in warning


def test_a_simulator_batch_from_an_earlier_process_is_sent_again_not_polled(tmp_path):
    import asyncio

    sim = {"event": "submitted", "batch_id": "b1", "model": "sim/weak", "requests": {"r": "k1"}}
    real = {"event": "submitted", "batch_id": "b2", "model": "gpt-4o-mini", "requests": {"r": "k2"}}
    (tmp_path / "batches.jsonl").write_text(json.dumps(sim) + "\n" + json.dumps(real) + "\n")

    async def go():
        run = BatchRun(load_config(None, ["engine=batch"]), tmp_path, quiet=True)
        backend = await run.start()
        try:
            return run.sim_base, set(backend._adoptable)
        finally:
            await run.aclose()

    sim_base, adoptable = asyncio.run(go())
    assert sim_base.startswith("http://127.0.0.1:")  # the simulator's batch API, for this run
    assert adoptable == {"k2"}
    notes = [json.loads(x) for x in (tmp_path / "batches.jsonl").read_text().splitlines()][2:]
    assert (
        len(notes) == 1 and "b1 went to the simulator of an earlier process" in notes[0]["message"]
    )
