"""A cache write that fails never loses the paid reply: it is used and recorded, the rounds in
flight go on, no new round starts, then the run stops with `cache_error`."""

import asyncio

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import ModelSpec
from workbench.errors import StopRun
from workbench.model import CallMeta, ModelClient
from workbench.model.cache import CacheError, CallCache

SPEC = ModelSpec(model="openai/x")


class BrokenCache(CallCache):
    """A real cache file whose writes fail as a full disk does."""

    def put(self, key, request, reply):
        self.write_error = CacheError("no space left for the call cache X", "full")
        raise self.write_error


def _client(tmp_path, records, tracked=True):
    client = ModelClient(
        backend=FakeBackend("a", "b", "c", "d"),
        on_call=records.append,
        cache=BrokenCache(tmp_path / "c.sqlite", on_warning=lambda line: None),
    )
    client.drain.tracked = tracked
    return client


def test_the_reply_is_used_and_recorded_the_open_round_goes_on_a_new_round_waits(tmp_path):
    records = []
    client = _client(tmp_path, records)

    async def scenario():
        first = await client.complete(SPEC, "q1", CallMeta("weak", "doc", 1, 0))
        same_round = await client.complete(SPEC, "q2", CallMeta("judge", "doc", 1, 0))
        new_round = asyncio.create_task(client.complete(SPEC, "q3", CallMeta("weak", "doc", 2, 0)))
        await asyncio.sleep(0.05)
        assert not new_round.done(), "a new round waits for the rounds in flight"
        client.drain.round_recorded("round", {"doc_id": "doc", "round": 1})
        with pytest.raises(StopRun) as info:
            await new_round
        return first, same_round, info.value

    first, same_round, stop = run_async(scenario())
    assert (first.text, same_round.text) == ("a", "b")
    assert [r["cached"] for r in records] == [False, False] and all(
        r["error"] is None for r in records
    )
    assert stop.status == "cache_error" and "no space left" in stop.reason
    assert client.stopped is stop


def test_untracked_clients_stop_at_the_next_call(tmp_path):
    records = []
    client = _client(tmp_path, records, tracked=False)
    out = run_async(client.complete(SPEC, "q1", CallMeta("weak", "doc", 1, 0)))
    assert out.text == "a" and len(records) == 1
    with pytest.raises(StopRun, match="no space left"):
        run_async(client.complete(SPEC, "q2", CallMeta("weak", "doc", 1, 0)))


def test_a_tampered_entry_is_asked_again_and_replaced(tmp_path):
    import sqlite3

    path = tmp_path / "c.sqlite"
    fake = FakeBackend("first", "fresh")
    client = ModelClient(backend=fake, cache=CallCache(path, on_warning=lambda line: None))
    meta = CallMeta("weak", "doc", 1, 0)
    assert run_async(client.complete(SPEC, "q", meta)).text == "first"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE replies SET reply = replace(reply, 'first', 'forged')")
    assert run_async(client.complete(SPEC, "q", meta)).text == "fresh"
    assert client.cache.rejected["digest_mismatch"] == 1 and len(fake.history) == 2
    assert run_async(client.complete(SPEC, "q", meta)).text == "fresh"  # served, replaced
    assert len(fake.history) == 2
