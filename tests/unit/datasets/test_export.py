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
    # A second accepted round asks the first one's question (in its round and its example
    # alike: a consistent run directory; a forged extra example is refused, see repair).
    examples = [json.loads(x) for x in (run / "accepted.jsonl").read_text().splitlines()]
    first, second = examples[0], examples[1]
    second["question"] = first["question"]
    rounds = [json.loads(x) for x in (run / "rounds.jsonl").read_text().splitlines()]
    for r in rounds:
        if (r["doc_id"], r["round"]) == (second["doc_id"], second["round"]):
            r["task"]["question"] = first["question"]
    write = lambda path, rows: path.write_text("".join(json.dumps(x) + "\n" for x in rows))  # noqa: E731
    write(run / "accepted.jsonl", examples)
    write(run / "rounds.jsonl", rounds)
    done = export(run, "sft", tmp_path / "sft.jsonl")
    assert done.duplicates_removed == 1 and done.rows == default_run.summary["accepted"] - 1
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


def reviewed_copy(default_run, tmp_path, verdicts):
    """A copy of the default run whose accepted examples got `verdicts` (in id order)."""
    from workbench.records import append_review, make_review

    run = tmp_path / "reviewed"
    shutil.copytree(default_run.dir, run)
    ids = sorted(e["id"] for e in default_run.records("accepted"))
    for example_id, verdict in zip(ids, verdicts, strict=False):
        append_review(run, make_review(example_id, verdict, f"{verdict} it"))
    return run, ids


def test_rejected_examples_are_dropped_and_counted_on_the_card(default_run, tmp_path):
    run, ids = reviewed_copy(default_run, tmp_path, ["reject", "keep", "reject"])
    done = export(run, "sft", tmp_path / "sft.jsonl")
    exported = [json.loads(x)["id"] for x in done.path.read_text().splitlines()]
    assert exported == [ids[1], *ids[3:]]
    assert done.rejected_removed == 2 and done.rows == len(ids) - 2
    card = done.card.read_text()
    for line in (
        f"| accepted | {len(ids)} |",
        "| reviewed: kept | 1 |",
        "| reviewed: rejected | 2 |",
        f"| not reviewed | {len(ids) - 3} |",
        "| rejected in review, dropped | 2 |",
        f"| examples in this export | {len(ids) - 2} |",
    ):
        assert line in card, line


def test_include_rejected_keeps_them_and_the_latest_review_counts(default_run, tmp_path):
    from workbench.records import append_review, make_review

    run, ids = reviewed_copy(default_run, tmp_path, ["reject", "reject"])
    append_review(run, make_review(ids[1], "keep", "on second thought"))
    everything = export(run, "grpo", tmp_path / "all.jsonl", include_rejected=True)
    assert everything.rows == len(ids) and everything.rejected_removed == 0
    card = everything.card.read_text()
    assert "| reviewed: rejected | 1 |" in card and "| rejected in review, dropped | 0 |" in card
    default = export(run, "grpo", tmp_path / "default.jsonl")
    assert default.rows == len(ids) - 1
    assert ids[0] not in default.path.read_text() and ids[1] in default.path.read_text()


def test_export_refuses_when_every_example_was_rejected(default_run, tmp_path):
    n = default_run.summary["accepted"]
    run, _ = reviewed_copy(default_run, tmp_path, ["reject"] * n)
    with pytest.raises(WorkbenchError, match="every accepted example .* was rejected in review"):
        export(run, "sft", tmp_path / "none.jsonl")
    assert export(run, "sft", tmp_path / "all.jsonl", include_rejected=True).rows == n


def test_cli_export_include_rejected(default_run, tmp_path):
    from tests.support import cli

    run, ids = reviewed_copy(default_run, tmp_path, ["reject"])
    dropped = cli("export", str(run), "--format", "sft", "--out", str(tmp_path / "a.jsonl"))
    assert dropped.returncode == 0, dropped.stderr
    assert f"{len(ids) - 1} examples" in dropped.stdout and "1 rejected in review" in dropped.stdout
    kept = cli(
        "export",
        str(run),
        "--format",
        "sft",
        "--out",
        str(tmp_path / "b.jsonl"),
        "--include-rejected",
    )
    assert kept.returncode == 0, kept.stderr
    assert f"{len(ids)} examples" in kept.stdout and "0 rejected in review" in kept.stdout
    assert len((tmp_path / "b.jsonl").read_text().splitlines()) == len(ids)
