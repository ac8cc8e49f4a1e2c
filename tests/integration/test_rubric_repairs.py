"""Rubric hygiene through the real loop and `workbench export`: a hostile challenger adds a
negative "must not" criterion (negatives not allowed), a 100,000-character criterion and fake
`repairs` of its own. The negative is dropped (never flipped), the long text clipped, extras cut;
every repair is on the round, on the example in accepted.jsonl, in every export and the card."""

import json

import pytest

import workbench
from tests.support import FIXTURES, cli, require
from workbench.model import Reply, litellm_backend, parse_model
from workbench.roles import Task

MUST_NOT = 'Must not say "Congress".'
PADDING = " padding" * 12_500  # 100,000 characters


def _hostile_task(text: str) -> str:
    try:  # read as the workbench reads it (fences, preambles, trailing commas)
        task = parse_model(text, Task).model_dump(exclude={"repairs"})
    except ValueError:
        return text  # the sim's junk, on purpose: left alone
    first = task["rubric"][0]
    long = {"criterion": first["criterion"] + PADDING, "weight": first["weight"]}
    task["rubric"] = [long, *task["rubric"], {"criterion": MUST_NOT, "weight": -5}]
    task["repairs"] = ["written by the model"]
    return json.dumps(task)


async def backend(**request):
    reply = await litellm_backend(**request)
    if request["model"] != "sim/challenger":
        return reply
    return Reply(
        _hostile_task(reply.text), reply.finish_reason, reply.prompt_tokens, reply.completion_tokens
    )


@pytest.fixture(scope="module")
def repaired_run(tmp_path_factory):
    config = {
        "rubric": {"max_criteria": 4, "max_criterion_chars": 300},
        "cache": {"enabled": False},
    }
    out = tmp_path_factory.mktemp("repairs") / "run"
    return workbench.run(None, config, out=out, backend=backend)


def test_rounds_record_every_repair_and_never_flip_a_negative(repaired_run):
    rounds = [r for r in repaired_run.typed("rounds") if r.task is not None]
    assert rounds
    for r in rounds:
        assert r.repairs == r.task.repairs
        assert "written by the model" not in r.repairs
        assert all(c.criterion != MUST_NOT and c.weight > 0 for c in r.task.rubric)
        assert all(len(c.criterion) <= 300 for c in r.task.rubric)
        assert any("dropped: negative weight -5" in x for x in r.repairs)
        assert any("text clipped from 100,0" in x and "to 300 characters" in x for x in r.repairs)
    assert any(any("rubric cut from" in x for x in r.repairs) for r in rounds)


def test_examples_carry_their_repairs(repaired_run):
    examples = repaired_run.records("accepted")
    assert repaired_run.summary["accepted"] >= 1 and examples
    by_round = {f"{r.doc_id}#r{r.round}": r for r in repaired_run.typed("rounds")}
    for e in examples:
        assert e["repairs"] == by_round[e["id"]].repairs and e["repairs"]
        assert not any(c["criterion"] == MUST_NOT for c in e["rubric"])


@pytest.mark.parametrize("fmt", ["sft", "grpo"])
def test_jsonl_exports_carry_repairs(repaired_run, tmp_path, fmt):
    out = tmp_path / f"{fmt}.jsonl"
    result = cli(
        "export", str(repaired_run.dir), "--format", fmt, "--out", str(out), "--dedup", "1"
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    accepted = {e["id"]: e["repairs"] for e in repaired_run.records("accepted")}
    assert rows and all(row["repairs"] == accepted[row["id"]] for row in rows)
    card = out.with_name(out.name + ".card.md").read_text()
    assert "## Repairs" in card and "dropped: negative weight -5" in card
    assert f"{len(rows)} of {len(rows)} exported examples had their task repaired" in card


@pytest.mark.parametrize("fmt", ["hf", "parquet"])
def test_dataset_exports_carry_repairs(repaired_run, tmp_path, fmt):
    datasets = require("datasets", "export")
    out = tmp_path / fmt
    result = cli(
        "export", str(repaired_run.dir), "--format", fmt, "--out", str(out), "--dedup", "1"
    )
    assert result.returncode == 0, result.stderr
    ds = (
        datasets.load_from_disk(str(out))
        if fmt == "hf"
        else datasets.Dataset.from_parquet(str(out))
    )
    accepted = {e["id"]: e["repairs"] for e in repaired_run.records("accepted")}
    assert len(ds) == len(accepted)
    assert all(list(r) == accepted[i] for i, r in zip(ds["id"], ds["repairs"], strict=True))
    card = (out / "README.md") if fmt == "hf" else out.with_name(out.name + ".card.md")
    assert "dropped: negative weight -5" in card.read_text()


def test_records_without_repairs_still_read_and_export(tmp_path):
    """A 0.1 run (no `repairs` anywhere) reads, and exports with empty repairs."""
    run = workbench.load_run(FIXTURES / "runs" / "v0-agentic")
    assert all(e["repairs"] == [] for e in run.records("accepted"))
    out = tmp_path / "sft.jsonl"
    result = cli("export", str(run.dir), "--format", "sft", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert all(json.loads(x)["repairs"] == [] for x in out.read_text().splitlines())
    assert (
        "No exported example's task needed a repair."
        in out.with_name("sft.jsonl.card.md").read_text()
    )


def test_an_hf_export_without_any_repair_still_types_repairs_as_strings(tmp_path):
    datasets = require("datasets", "export")
    out = tmp_path / "hf"
    result = cli(
        "export", str(FIXTURES / "runs" / "v0-agentic"), "--format", "hf", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    feature = datasets.load_from_disk(str(out)).features["repairs"]
    assert feature.feature.dtype == "string"
