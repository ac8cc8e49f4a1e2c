"""Every export format carries each example's question_type and skills, and the dataset card
counts them and names the rubric style; examples from before skill tags export empty skills."""

import json

import pytest

from tests.support import FIXTURES, cli, require
from workbench.datasets import export

datasets = require("datasets", "export")


def rows_of(fmt: str, path):
    if fmt in ("sft", "grpo"):
        return [json.loads(line) for line in path.read_text().splitlines()]
    if fmt == "hf":
        return list(datasets.load_from_disk(str(path)))
    return list(datasets.load_dataset("parquet", data_files=str(path), split="train"))


@pytest.mark.parametrize("fmt", ["sft", "grpo", "hf", "parquet"])
def test_every_format_carries_question_type_and_skills(default_run, tmp_path, fmt):
    out = tmp_path / (f"{fmt}.jsonl" if fmt in ("sft", "grpo") else fmt)
    result = cli("export", str(default_run.dir), "--format", fmt, "--out", str(out), "--dedup", "1")
    assert result.returncode == 0, result.stderr
    accepted = {e["id"]: e for e in default_run.records("accepted")}
    rows = rows_of(fmt, out)
    assert len(rows) == len(accepted)
    for row in rows:
        example = accepted[row["id"]]
        assert row["question_type"] == example["question_type"]
        assert row["skills"] == example["skills"] and 2 <= len(row["skills"]) <= 3


def test_the_card_counts_types_and_skills_and_names_the_style(default_run, tmp_path):
    done = export(default_run.dir, "sft", tmp_path / "sft.jsonl", dedup_threshold=1)
    card = done.card.read_text()
    assert "## Question types and skills" in card
    assert "Rubric style `evolved`: 2 to 10 criteria, positive weights 1 to 7." in card
    examples = default_run.records("accepted")
    for skill in {s for e in examples for s in e["skills"]}:
        n = sum(skill in e["skills"] for e in examples)
        assert f"| {skill} | {n} |" in card


@pytest.mark.parametrize("fmt", ["grpo", "hf"])
def test_examples_from_before_skill_tags_export_empty_skills(tmp_path, fmt):
    run = FIXTURES / "runs" / "v0-agentic"
    out = tmp_path / (f"{fmt}.jsonl" if fmt == "grpo" else fmt)
    done = export(run, fmt, out, dedup_threshold=1)
    rows = rows_of(fmt, out)
    assert rows and all(r["skills"] == [] and r["question_type"] for r in rows)
    card = done.card.read_text()
    assert "No exported example has skill tags" in card and "Rubric style `evolved`" in card
