"""Exports load in `datasets` and follow TRL's data formats; the rubric reward scores like the judge."""

import inspect
import json
import shutil

import pytest

from tests.support import require
from workbench.datasets import RubricReward, export, rubric_reward
from workbench.errors import WorkbenchError

datasets = require("datasets", "export")


def is_conversational(messages) -> bool:
    """TRL's conversational format: a list of {"role", "content"} messages."""
    return isinstance(messages, list) and all(set(m) >= {"role", "content"} for m in messages)


def test_sft_is_chat_jsonl_for_sft_trainer(default_run, tmp_path):
    done = export(default_run.dir, "sft", tmp_path / "sft.jsonl")
    rows = datasets.load_dataset("json", data_files=str(done.path), split="train")
    assert len(rows) == done.rows == default_run.summary["accepted"]
    accepted = {e["id"]: e for e in default_run.records("accepted")}
    for row in rows:
        assert is_conversational(row["messages"])
        user, assistant = row["messages"]
        assert (user["role"], assistant["role"]) == ("user", "assistant")
        example = accepted[row["id"]]
        assert example["question"] in user["content"] and example["context"] in user["content"]
        assert assistant["content"] == example["label"]
    card = done.card.read_text()
    assert "sim/challenger" in card and "weak_max=0.3" in card


def test_grpo_rows_and_the_reward_function(default_run, tmp_path):
    done = export(default_run.dir, "grpo", tmp_path / "grpo.jsonl")
    rows = datasets.load_dataset("json", data_files=str(done.path), split="train")
    assert {"prompt", "rubric", "reference_answer", "weak_mean", "strong_mean", "gap"} <= set(
        rows.column_names
    )
    assert all(is_conversational(p) for p in rows["prompt"])
    # Called as GRPOTrainer calls reward functions: completions plus the dataset's columns as keywords.
    labels = {e["id"]: e["label"] for e in default_run.records("accepted")}
    good = [[{"role": "assistant", "content": labels[i]}] for i in rows["id"]]
    bad = [[{"role": "assistant", "content": "I am not sure."}] for _ in rows["id"]]
    extra = {k: rows[k] for k in rows.column_names if k != "prompt"}
    good_scores = rubric_reward(
        prompts=rows["prompt"], completions=good, completion_ids=None, **extra
    )
    bad_scores = rubric_reward(
        prompts=rows["prompt"], completions=bad, completion_ids=None, **extra
    )
    assert len(good_scores) == len(rows) and all(s is None or 0 <= s <= 1 for s in good_scores)
    assert (
        sum(s or 0 for s in good_scores) / len(rows)
        > 0.6
        > sum(s or 0 for s in bad_scores) / len(rows)
    )
    assert rubric_reward.__name__ == "rubric_reward"
    assert "completions" in inspect.signature(RubricReward.__call__).parameters


def test_hf_and_parquet_with_a_card(default_run, tmp_path):
    hf = export(default_run.dir, "hf", tmp_path / "hf")
    ds = datasets.load_from_disk(str(hf.path))
    assert len(ds) == hf.rows and {"messages", "prompt", "rubric", "label", "question"} <= set(
        ds.column_names
    )
    card = (hf.path / "README.md").read_text()
    for expected in (
        "sim/judge",
        "weak_max=0.3",
        "strong_min=0.8",
        "near-duplicates removed",
        "weak mean:",
        default_run.header["prompts"]["challenger"]["sha256"][:16],
    ):
        assert expected in card, expected
    pq = export(default_run.dir, "parquet", tmp_path / "data.parquet")
    table = datasets.load_dataset("parquet", data_files=str(pq.path), split="train")
    assert sorted(table["id"]) == sorted(ds["id"])


def test_near_duplicates_are_removed_and_counted(default_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(default_run.dir, run)
    first = json.loads((run / "accepted.jsonl").read_text().splitlines()[0])
    with open(run / "accepted.jsonl", "a") as f:
        f.write(json.dumps({**first, "id": first["id"] + "-copy"}) + "\n")
    done = export(run, "sft", tmp_path / "sft.jsonl")
    assert done.duplicates_removed == 1 and done.rows == default_run.summary["accepted"]
    kept_all = export(run, "sft", tmp_path / "all.jsonl", dedup_threshold=None)
    assert kept_all.rows == done.rows + 1


def test_refuses_to_overwrite_or_export_nothing(default_run, tmp_path):
    target = tmp_path / "x.jsonl"
    target.write_text("mine\n")
    with pytest.raises(WorkbenchError, match="already exists"):
        export(default_run.dir, "sft", target)
    assert target.read_text() == "mine\n"
    with pytest.raises(WorkbenchError, match="unknown export format"):
        export(default_run.dir, "csv", tmp_path / "y")
