"""The eval harness: PRBench's formulas on hand-computed cases, both input layouts, and runs on the sim."""

import json

import pytest

from tests.support import cli, run_async
from workbench.config import ModelSpec
from workbench.datasets import (
    bootstrap_interval,
    clipped_score,
    evaluate,
    load_bench,
    normalized_score,
    points,
    prbench_weight,
    reported,
)
from workbench.errors import WorkbenchError


def test_prbench_formulas_by_hand():
    weights = [3, 2, 1, -1, -3]
    met = [1, 0, 1, 1, 0]
    assert points(weights, met) == 3  # 3 + 1 - 1
    assert clipped_score(weights, met) == pytest.approx(3 / 6)
    assert normalized_score(weights, met) == pytest.approx((3 + 4) / (6 + 4))
    worst = [0, 0, 0, 1, 1]
    assert clipped_score(weights, worst) == pytest.approx(-4 / 6)
    assert normalized_score(weights, worst) == 0.0
    assert normalized_score(weights, [1, 1, 1, 0, 0]) == 1.0


def test_reported_figure_is_clipped_at_zero_with_an_interval():
    assert reported([-0.5, 0.2]) == 0.0
    assert reported([0.5, 0.2, 0.2]) == pytest.approx(0.3)
    low, high = bootstrap_interval([0.1, 0.2, 0.3, 0.9, 0.5], samples=2000)
    assert low <= 0.4 <= high and (low, high) == bootstrap_interval(
        [0.1, 0.2, 0.3, 0.9, 0.5], samples=2000
    )


def prbench_row(task="t1"):
    def item(i, title, weight_class, weight):
        key = weight_class.replace(" ", "_") + "_weight"
        return {
            "id": f"r{i}",
            "title": title,
            "annotations": {"weight_class": weight_class, key: weight, "criteria_category": "x"},
        }

    return {
        "task": task,
        "field": "Legal",
        "prompt_0": "My landlord kept my deposit.",
        "response_0": "Which state?",
        "prompt_1": "California. Can I sue?",
        "reference_texts_1": ["Civil Code 1950.5 ..."],
        "rubric": [
            item(1, "Mentions small claims court", "critically important", 4),
            item(2, "States the 21-day deadline", "important", 2),
            item(3, "Recommends ignoring the issue", "critically detrimental", -4),
        ],
    }


def test_prbench_rows_load_with_conversation_and_weights(tmp_path):
    path = tmp_path / "bench.jsonl"
    path.write_text(json.dumps(prbench_row()) + "\n")
    (task,) = load_bench(path)
    assert [m["role"] for m in task.messages] == ["user", "assistant", "user"]
    assert task.messages[2]["content"].startswith("Reference Text 0:\nCivil Code")
    assert task.weights == [4, 2, -4] and task.criteria[0] == "Mentions small claims court"
    assert (
        prbench_weight(
            {
                "annotations": {
                    "weight_class": "slightly detrimental",
                    "slightly_detrimental_weight": -1,
                }
            }
        )
        == -1
    )
    with pytest.raises(WorkbenchError, match="no 'important_weight'"):
        prbench_weight({"id": "x", "annotations": {"weight_class": "important"}})


def test_models_side_by_side_on_accepted_examples(default_run, tmp_path):
    models = [ModelSpec(model="sim/weak"), ModelSpec(model="sim/solver-6")]
    summary = run_async(
        evaluate(
            default_run.dir / "accepted.jsonl",
            models,
            ModelSpec(model="sim/judge"),
            tmp_path / "eval",
        )
    )
    weak, strong = summary["models"]["sim/weak"], summary["models"]["sim/solver-6"]
    accepted = default_run.summary["accepted"]
    # The sim judge writes a cut-off reply now and then, on purpose; a task whose re-ask is cut
    # off too is an error, not a score.
    for side in (weak, strong):
        assert side["tasks_scored"] + side["errors"] == accepted and side["errors"] <= 1
    assert strong["score"] > weak["score"] + 0.3
    assert strong["ci95"][0] <= strong["score"] <= strong["ci95"][1]
    rows = [
        json.loads(line) for line in (tmp_path / "eval" / "results.jsonl").read_text().splitlines()
    ]
    assert len(rows) == weak["tasks_scored"] + strong["tasks_scored"]


@pytest.mark.slow
def test_cli_on_prbench_layout(tmp_path):
    path = tmp_path / "bench.jsonl"
    path.write_text("\n".join(json.dumps(prbench_row(f"t{i}")) for i in range(3)) + "\n")
    result = cli(
        "eval",
        str(path),
        "--model",
        "sim/weak",
        "--judge",
        "sim/judge",
        "--out",
        str(tmp_path / "e"),
    )
    assert result.returncode == 0, result.stderr
    assert "sim/weak" in result.stdout and "95% CI" in result.stdout
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    weak = summary["models"]["sim/weak"]
    # The sim judge cuts a reply off now and then, on purpose: such a task is an error, not a score.
    assert summary["tasks"] == 3 and weak["tasks_scored"] + weak["errors"] == 3
    assert weak["errors"] <= 1


@pytest.mark.local_model
@pytest.mark.slow
def test_local_model_on_two_tasks(default_run, tmp_path):
    from tests.support import require

    require("llama_cpp", "local")
    summary = run_async(
        evaluate(
            default_run.dir / "accepted.jsonl",
            [ModelSpec(model="local/smollm2", max_tokens=96)],
            ModelSpec(model="local/smollm2", max_tokens=200),
            tmp_path / "local",
            per_criterion=False,
            limit=2,
        )
    )
    s = summary["models"]["local/smollm2"]
    assert s["tasks_scored"] + s["errors"] == 2 and 0.0 <= s["score"] <= 1.0


@pytest.mark.parametrize("line", ["42", "[1, 2]", "{oops"])
def test_a_bench_line_that_is_not_an_object_is_one_line(tmp_path, line):
    path = tmp_path / "bench.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(WorkbenchError, match=r"bench\.jsonl:1: "):
        load_bench(path)
