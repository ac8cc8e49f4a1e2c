import json

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import ModelSpec, Retry
from workbench.errors import ModelOutputError, ProviderError
from workbench.model import CallMeta, ModelClient, Reply, build_request, response_format
from workbench.roles import JudgeOutput, Task

GOOD = '{"grades": [{"criterion": 1, "met": true}]}'
META = CallMeta("judge", "doc", 1, 0, side="weak")


def client(fake, records=None, **kw):
    return ModelClient(
        backend=fake, on_call=(records.append if records is not None else None), **kw
    )


def test_structured_output_modes():
    schema = JudgeOutput.model_json_schema()
    fmt = response_format("json_schema", schema, "JudgeOutput")
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"]["title"] == "JudgeOutput"
    fmt = response_format("json_object_schema", schema)
    assert fmt["type"] == "json_object" and "grades" in fmt["schema"]["properties"]
    assert response_format("json_object", schema) == {"type": "json_object"}
    assert response_format("prompt", schema) is None


def test_wire_schema_can_be_tighter_than_the_model():
    fake = FakeBackend(GOOD)
    wire = {"type": "object", "properties": {"grades": {"type": "array", "maxItems": 1}}}
    spec = ModelSpec(model="openai/x", structured_output="json_object_schema")
    out = run_async(client(fake).complete(spec, "g", META, schema=JudgeOutput, json_schema=wire))
    assert fake.history[0]["response_format"] == {"type": "json_object", "schema": wire}
    assert out.parsed.grades[0].met == 1.0


def test_prompt_mode_puts_the_schema_in_the_prompt():
    fake = FakeBackend(GOOD)
    spec = ModelSpec(model="openai/x", structured_output="prompt")
    run_async(client(fake).complete(spec, "Grade it.", META, schema=JudgeOutput))
    sent = fake.history[0]
    assert "response_format" not in sent
    assert (
        "JSON schema" in sent["messages"][0]["content"]
        and '"grades"' in sent["messages"][0]["content"]
    )


def test_request_carries_spec_settings_but_no_key():
    spec = ModelSpec(
        model="openai/x",
        api_base="http://127.0.0.1:9",
        temperature=0.2,
        max_tokens=50,
        timeout_s=7,
        extra={"top_p": 0.9},
    )
    req = build_request(spec, [{"role": "user", "content": "hi"}], None, 5)
    assert (
        req["api_base"] == "http://127.0.0.1:9"
        and req["temperature"] == 0.2
        and req["max_tokens"] == 50
    )
    assert req["timeout"] == 7 and req["top_p"] == 0.9 and req["seed"] == 5 and "api_key" not in req


def test_key_comes_from_the_named_environment_variable(monkeypatch):
    monkeypatch.setenv("MY_TEST_KEY", "sk-test-123456")
    fake = FakeBackend("answer")
    records = []
    run_async(
        client(fake, records).complete(
            ModelSpec(model="openai/x", api_key_env="MY_TEST_KEY"), "q", META
        )
    )
    assert fake.history[0]["api_key"] == "sk-test-123456"
    assert "sk-test-123456" not in json.dumps(records)


def test_reask_once_with_the_validation_error():
    fake = FakeBackend("I think the answer is yes.", GOOD)
    out = run_async(
        client(fake).complete(ModelSpec(model="m/x"), "Grade it.", META, schema=JudgeOutput)
    )
    assert out.parsed.grades[0].met == 1.0 and out.calls == 2
    second = fake.history[1]["messages"]
    assert second[1] == {"role": "assistant", "content": "I think the answer is yes."}
    assert "could not be used: no JSON object found" in second[2]["content"]


def test_cut_off_output_is_reasked_with_more_room():
    fake = FakeBackend(Reply('{"grades": [{"crit', "length", 10, 50), GOOD)
    records = []
    run_async(
        client(fake, records).complete(
            ModelSpec(model="m/x", max_tokens=50), "g", META, schema=JudgeOutput
        )
    )
    assert fake.history[1]["max_tokens"] == 100
    assert [r["finish_reason"] for r in records] == ["length", "stop"]
    assert [r["reask"] for r in records] == [0, 1]


def test_second_failure_raises_with_raw_text():
    fake = FakeBackend("nope", "still nope")
    with pytest.raises(ModelOutputError) as info:
        run_async(client(fake).complete(ModelSpec(model="m/x"), "g", META, schema=JudgeOutput))
    assert info.value.raw == "still nope"


def test_custom_validation_feeds_the_reask():
    task = (
        '{"question": "q", "reference_answer": "a", "rubric": [{"criterion": "c", "weight": 99}]}'
    )
    ok = '{"question": "q", "reference_answer": "a", "rubric": [{"criterion": "c", "weight": 5}]}'
    fake = FakeBackend(task, ok)

    def validate(t):
        if t.rubric[0].weight > 7:
            raise ValueError("weights are 1 to 7")

    out = run_async(
        client(fake).complete(ModelSpec(model="m/x"), "w", META, schema=Task, validate=validate)
    )
    assert out.parsed.rubric[0].weight == 5
    assert "weights are 1 to 7" in fake.history[1]["messages"][-1]["content"]


def test_provider_errors_are_recorded_redacted(monkeypatch):
    monkeypatch.setenv("SOME_API_KEY", "sk-live-abcdef")
    fake = FakeBackend(*[RuntimeError("401: bad key sk-live-abcdef")] * 2)
    records = []
    fast = Retry(max_attempts=2, base_s=0.001, max_s=0.001)  # a status-less error is retried
    with pytest.raises(ProviderError) as info:
        run_async(client(fake, records, retry=fast).complete(ModelSpec(model="m/x"), "q", META))
    assert "sk-live-abcdef" not in str(info.value)
    assert len(records) == 2 and all("[REDACTED]" in r["error"] for r in records)


def test_a_key_echoed_in_a_reply_never_reaches_the_cache_or_records(monkeypatch, tmp_path):
    from workbench.model import CallCache

    monkeypatch.setenv("MY_TEST_KEY", "sk-echoed-7654321")
    fake = FakeBackend("your key is sk-echoed-7654321, thanks")
    cache = CallCache(tmp_path / "c.sqlite")
    spec = ModelSpec(model="openai/x", api_key_env="MY_TEST_KEY")
    out = run_async(client(fake, cache=cache).complete(spec, "q", META))
    cache.close()
    assert out.text == "your key is [REDACTED], thanks"
    assert b"sk-echoed" not in (tmp_path / "c.sqlite").read_bytes()


def test_an_unusable_reply_keeps_only_a_bounded_raw_text():
    from workbench.model import RAW_KEPT_CHARS

    junk = "x" * (RAW_KEPT_CHARS * 3)
    with pytest.raises(ModelOutputError) as info:
        run_async(
            client(FakeBackend(junk, junk)).complete(ModelSpec(model="m/x"), "q", META, JudgeOutput)
        )
    assert len(info.value.raw) == RAW_KEPT_CHARS


def test_call_records_have_the_contract_fields():
    records = []
    run_async(client(FakeBackend("a"), records).complete(ModelSpec(model="m/x"), "q", META))
    assert set(records[0]) >= {
        "ts",
        "role",
        "model",
        "doc_id",
        "round",
        "rollout",
        "attempt",
        "latency_s",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "cached",
        "error",
    }
    assert records[0]["cost_usd"] is None  # unknown model: null, never 0


def test_seeds_differ_per_rollout_and_repeat_per_run():
    c = ModelClient(seed=1)
    a0, a1 = c.call_seed(CallMeta("weak", "d", 1, 0)), c.call_seed(CallMeta("weak", "d", 1, 1))
    assert a0 != a1 and a0 == ModelClient(seed=1).call_seed(CallMeta("weak", "d", 1, 0))
    assert a0 != ModelClient(seed=2).call_seed(CallMeta("weak", "d", 1, 0))


def test_known_model_gets_a_price():
    from workbench.model import cost_usd

    assert cost_usd(ModelSpec(model="gpt-4o-mini"), 1000, 1000) == pytest.approx(0.00075)
    assert cost_usd(ModelSpec(model="openai/my-own-finetune-xyz"), 1000, 1000) is None
    own = ModelSpec(model="openai/mine", input_cost_per_token=1e-6, output_cost_per_token=2e-6)
    assert cost_usd(own, 1000, 1000) == pytest.approx(0.003)
