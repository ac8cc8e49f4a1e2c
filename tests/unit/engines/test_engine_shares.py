"""Pure parts of the Ray engine and the local provider (no cluster, no model)."""

from workbench.config import load_config
from workbench.engines import worker_config
from workbench.providers import local_response_format


def test_each_worker_gets_its_share():
    cfg = load_config(
        sets=[
            "concurrency=64",
            "budget.tokens=100000",
            "models.weak.rpm=120",
            "models.weak.max_concurrency=8",
        ]
    )
    share = worker_config(cfg, 4, spent_tokens=20_000)
    assert share["concurrency"] == 16 and share["engine"] == "local"
    assert share["budget"]["tokens"] == 20_000  # (100k - 20k spent) / 4
    assert share["models"]["weak"]["rpm"] == 30 and share["models"]["weak"]["max_concurrency"] == 2
    assert share["acceptance"]["weak_max"] == 0.3  # thresholds travel resolved


def test_llama_cpp_gets_json_object_with_schema():
    schema = {"type": "object"}
    wrapped = {"type": "json_schema", "json_schema": {"name": "Task", "schema": schema}}
    assert local_response_format(wrapped) == {"type": "json_object", "schema": schema}
    assert local_response_format({"type": "json_object", "schema": schema}) == {
        "type": "json_object",
        "schema": schema,
    }
    assert local_response_format(None) is None
