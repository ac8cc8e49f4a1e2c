"""The batching backend: requests held until nothing else can arrive, one batch per model,
answers by custom_id, failed lines classified like HTTP errors, unanswered lines sent once
more, batch prices; with an in-memory transport speaking the OpenAI batch protocol."""

from __future__ import annotations

import asyncio
import json

import pytest

from workbench.config import ModelSpec
from workbench.model import ModelClient
from workbench.model._pricing import cost_usd, prices
from workbench.model._reply import CallMeta
from workbench.model.backends import BatchBackend, BatchItemError, Endpoint, parse_output
from workbench.model.guards import classify
from workbench.providers.sim._batches import parse_input
from workbench.providers.sim._server import answer_chat


class Memory:
    """Files and batches in memory; `fates` decides how each batch ends."""

    def __init__(self, fates=(), refuse_first: int | None = None):
        self.refuse_first = refuse_first
        """An HTTP status the first line of the first batch comes back with."""
        self.files: dict[str, bytes] = {}
        self.batches: list[list[dict]] = []
        self.fates = list(fates)
        self.ends: dict[str, str] = {}

    async def upload(self, endpoint, data):
        file_id = f"file-{len(self.files)}"
        self.files[file_id] = data
        return file_id

    async def create(self, endpoint, file_id):
        lines, problem = parse_input(self.files[file_id], "/v1/chat/completions")
        assert problem is None, problem
        self.batches.append(lines)
        fate = self.fates.pop(0) if self.fates else "completed"
        answered = lines if fate == "completed" else lines[: len(lines) // 2]
        out = []
        for line in answered:
            status, body = answer_chat(line["body"])
            if self.refuse_first and len(self.batches) == 1 and line is lines[0]:
                status, body = self.refuse_first, {"error": {"message": "Rate limit reached"}}
            out.append(
                {
                    "custom_id": line["custom_id"],
                    "response": {"status_code": status, "body": body},
                    "error": None,
                }
            )
        output = f"out-{len(self.batches)}"
        self.files[output] = "".join(json.dumps(o) + "\n" for o in out).encode()
        self.ends[f"batch_{len(self.batches)}"] = fate
        return {"id": f"batch_{len(self.batches)}", "status": "validating"}

    async def retrieve(self, endpoint, batch_id):
        n = batch_id.split("_")[1]
        return {"id": batch_id, "status": self.ends[batch_id], "output_file_id": f"out-{n}"}

    async def content(self, endpoint, file_id):
        return self.files[file_id]


class Journal:
    def __init__(self):
        self.entries = []

    def write(self, entry):
        self.entries.append(entry)


def backend(transport, journal=None):
    return BatchBackend(
        lambda r: Endpoint("openai", None, None, r["model"]),
        journal or Journal(),
        transport,
        poll=lambda e: (0.001, 0.01),
    )


def spec(role: str) -> ModelSpec:
    return ModelSpec(model=f"sim/{role}", input_cost_per_token=1e-6, output_cost_per_token=3e-6)


def test_calls_in_flight_together_go_out_as_one_batch_per_model():
    async def go():
        transport = Memory()
        records = []
        client = ModelClient(backend=backend(transport), on_call=records.append, concurrency=1)
        calls = [
            client.complete(spec(role), f"question {i}", CallMeta(role, f"d{i}", 1))
            for i, role in enumerate(["weak", "weak", "weak", "strong"])
        ]
        replies = await asyncio.gather(*calls)
        return transport, records, replies

    transport, records, replies = asyncio.run(go())
    # concurrency=1 does not cap a batch; one batch per model.
    assert sorted(len(b) for b in transport.batches) == [1, 3]
    assert all(r.text for r in replies)
    assert all(r["batch"] and r["batch_id"].startswith("batch_") for r in records)
    full = records[0]["prompt_tokens"] * 1e-6 + records[0]["completion_tokens"] * 3e-6
    assert records[0]["cost_usd"] == pytest.approx(full / 2)


def test_a_batch_that_leaves_lines_unanswered_sends_them_once_more():
    async def go():
        transport = Memory(fates=["expired"])
        journal = Journal()
        client = ModelClient(backend=backend(transport, journal), on_call=lambda r: None)
        calls = [
            client.complete(spec("weak"), f"q{i}", CallMeta("weak", f"d{i}", 1)) for i in range(4)
        ]
        await asyncio.gather(*calls)
        return transport, journal

    transport, journal = asyncio.run(go())
    assert [len(b) for b in transport.batches] == [4, 2]
    assert [e["event"] for e in journal.entries if e["event"] == "submitted"] == ["submitted"] * 2


def test_parse_output_answers_by_custom_id_and_classifies_failed_lines():
    ok = answer_chat({"model": "sim/weak", "messages": [{"role": "user", "content": "hi"}]})[1]
    data = "\n".join(
        [
            json.dumps(
                {"custom_id": "a", "response": {"status_code": 200, "body": ok}, "error": None}
            ),
            json.dumps(
                {
                    "custom_id": "b",
                    "response": {"status_code": 429, "body": {"error": {"message": "slow down"}}},
                }
            ),
            json.dumps(
                {
                    "custom_id": "c",
                    "response": {"status_code": 400, "body": {"error": {"message": "bad"}}},
                }
            ),
            json.dumps(
                {
                    "custom_id": "d",
                    "response": None,
                    "error": {"code": "batch_expired", "message": "late"},
                }
            ),
            "not json",
            json.dumps({"custom_id": "e", "response": {"status_code": 200, "body": {"junk": 1}}}),
        ]
    ).encode()
    results = parse_output(data, "batch_9")
    assert results["a"].text and results["a"].batch_id == "batch_9"
    assert (
        classify(results["b"]).kind == "retryable" and classify(results["b"]).batch_id == "batch_9"
    )
    assert classify(results["c"]).kind == "permanent"
    assert isinstance(results["d"], BatchItemError) and "batch_expired" in str(results["d"])
    assert classify(results["e"]).kind == "retryable"
    assert set(results) == {"a", "b", "c", "d", "e"}


def test_batch_prices_are_half_unless_the_price_map_lists_them():
    own = spec("weak")
    assert prices(own, batch=True) == pytest.approx((0.5e-6, 1.5e-6))
    assert cost_usd(own, 1000, 100, batch=True) == pytest.approx(0.5 * (1000e-6 + 300e-6))
    listed = ModelSpec(model="gpt-4o-mini")
    assert prices(listed, batch=True) == pytest.approx((7.5e-08, 3e-07))  # LiteLLM's *_batches
    assert prices(ModelSpec(model="sim/weak"), batch=True) is None


def test_a_line_that_came_back_429_is_retried_in_a_later_batch():
    from workbench.config import Retry

    async def go():
        transport = Memory(refuse_first=429)
        records = []
        client = ModelClient(
            backend=backend(transport), on_call=records.append, retry=Retry(base_s=0.01, max_s=0.01)
        )
        calls = [
            client.complete(spec("weak"), f"q{i}", CallMeta("weak", f"d{i}", 1)) for i in range(3)
        ]
        await asyncio.gather(*calls)
        return transport, records

    transport, records = asyncio.run(go())
    assert [len(b) for b in transport.batches] == [3, 1]
    failed = [r for r in records if r["error"]]
    assert (
        len(failed) == 1 and "HTTP 429" in failed[0]["error"] and failed[0]["batch_id"] == "batch_1"
    )
    assert failed[0]["batch"] and failed[0]["attempt"] == 1
    retried = [r for r in records if r["doc_id"] == failed[0]["doc_id"] and not r["error"]]
    assert retried[0]["attempt"] == 2 and retried[0]["batch_id"] == "batch_2"
