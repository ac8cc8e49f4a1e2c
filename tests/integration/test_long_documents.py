"""Long documents as a user meets them: refused in one line before any call when they do not
fit the challenger, or split into sections (`documents.chunk_tokens`) whose records name the
parent, through run, resume, report, export and the round browser."""

from __future__ import annotations

import asyncio
import json

import pytest

import workbench
from tests.support import cli
from tests.support.chat_server import ChatServer
from workbench.inputs import long_example, section_order

LONG = str(long_example())
CHUNKS = ["--set", "documents.chunk_tokens=2000", "--set", "max_rounds=4"]


def strip(records):
    rows = [{k: v for k, v in r.items() if k != "ts"} for r in records]
    return sorted(rows, key=lambda r: (r["doc_id"], r["round"]))


@pytest.fixture(scope="module")
def chunked_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("chunked") / "run"
    result = cli("run", LONG, *CHUNKS, "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    return workbench.load_run(out)


def test_a_document_over_the_challengers_window_is_refused_before_any_call(tmp_path):
    server = ChatServer(lambda fmt: None)
    try:
        out = tmp_path / "r"
        result = cli(
            "run",
            LONG,
            "--set",
            "models.challenger.model=openai/gpt-4",  # LiteLLM's map: an 8,192-token window
            "--set",
            f"models.challenger.api_base={server.api_base}",
            "--out",
            str(out),
        )
    finally:
        server.stop()
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("workbench: error: document us-constitution is 8,825 tokens, over the")
    for part in ("openai/gpt-4", "context window 8,192", "set documents.chunk_tokens"):
        assert part in line, part
    assert server.requests == []  # no probe, no round: nothing was sent
    assert not out.exists()


def test_documents_max_tokens_refuses_and_chunking_too_coarse_says_so(tmp_path):
    out = tmp_path / "r"
    capped = cli("run", LONG, "--set", "documents.max_tokens=3000", "--out", str(out))
    assert capped.returncode == 2 and not out.exists()
    assert (
        "document us-constitution is 8,825 tokens, over the 3,000-token limit of the challenger "
        "sim/challenger (documents.max_tokens)" in capped.stderr
    )
    dry = cli("run", LONG, "--set", "documents.max_tokens=3000", "--dry-run")
    assert dry.returncode == 2 and dry.stderr == capped.stderr  # a dry run says the same
    coarse = cli(
        "run",
        LONG,
        "--set",
        "models.challenger.model=local/smollm2",  # an 8,192-token context
        "--set",
        "documents.chunk_tokens=7000",
        "--out",
        str(out),
    )
    assert coarse.returncode == 2 and not out.exists()
    assert "document us-constitution#s1 is" in coarse.stderr
    assert "set documents.chunk_tokens to at most" in coarse.stderr


def test_a_chunked_run_names_the_parent_in_every_record(chunked_run):
    rounds = chunked_run.records("rounds")
    sections = sorted({r["doc_id"] for r in rounds})
    assert sections == [f"us-constitution#s{k}" for k in range(1, len(sections) + 1)]
    assert len(sections) >= 5 and chunked_run.summary["documents"] == len(sections)
    assert all(r["parent"] == "us-constitution" for r in rounds)
    accepted = chunked_run.records("accepted")
    assert accepted and all(e["parent"] == "us-constitution" for e in accepted)
    assert all(e["id"] == f"{e['doc_id']}#r{e['round']}" for e in accepted)
    # The challenger saw the section, not the whole document.
    calls = chunked_run.records("calls")
    assert {c["doc_id"] for c in calls} == set(sections)
    # Each section's text is the challenger's document: the run's config says how it was split.
    config = json.loads((chunked_run.dir / "config.json").read_text())["config"]
    assert config["documents"]["chunk_tokens"] == 2000


def test_report_export_and_the_round_browser_take_section_ids(chunked_run, tmp_path):
    report = cli("report", str(chunked_run.dir))
    assert report.returncode == 0, report.stderr
    assert f"{chunked_run.summary['documents']} done of" in report.stdout
    exported = cli(
        "export", str(chunked_run.dir), "--format", "grpo", "--out", str(tmp_path / "g.jsonl")
    )
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(x) for x in (tmp_path / "g.jsonl").read_text().splitlines()]
    assert rows and all(r["parent"] == "us-constitution" and "#s" in r["doc_id"] for r in rows)

    from workbench.notebook.widgets import RoundBrowser

    browser = RoundBrowser(chunked_run.dir)
    ids = [value for _, value in browser.document.options][1:]
    assert ids == sorted({r["doc_id"] for r in chunked_run.records("rounds")}, key=section_order)
    example = chunked_run.records("accepted")[0]
    browser.document.value = example["doc_id"]
    assert f"data-doc='{example['doc_id']}'" in browser.view.value
    browser.example.value = example["id"]
    browser.review("keep")
    reviews = [json.loads(x) for x in (chunked_run.dir / "reviews.jsonl").read_text().splitlines()]
    assert reviews[-1]["example_id"] == example["id"] and reviews[-1]["verdict"] == "keep"


def test_a_stopped_chunked_run_resumes_to_the_same_accepted_set(chunked_run, tmp_path):
    out = tmp_path / "r"
    stopped = cli(
        "run", LONG, *CHUNKS, "--set", "budget.tokens=60000", "--out", str(out), "--quiet"
    )
    assert stopped.returncode == 3 and "budget.tokens 60,000" in stopped.stderr
    partial = workbench.load_run(out)
    assert partial.summary["status"] == "budget"
    assert partial.summary["documents_done"] < chunked_run.summary["documents"]
    changed = cli("run", "--resume", str(out), "--set", "documents.chunk_tokens=1000")
    assert changed.returncode == 2 and "documents" in changed.stderr
    again = cli("run", "--resume", str(out), "--set", "budget.tokens=null", "--quiet")
    assert again.returncode == 0, again.stderr
    resumed = workbench.load_run(out)
    assert resumed.summary["status"] == "complete"
    assert strip(resumed.records("accepted")) == strip(chunked_run.records("accepted"))
    assert strip(resumed.records("rounds")) == strip(chunked_run.records("rounds"))


def test_the_prompt_tuner_lists_sections_and_runs_them_with_their_parent(tmp_path):
    from workbench.notebook.widgets import PromptTuner

    config = {"documents": {"chunk_tokens": 2000}, "max_rounds": 1}
    tuner = PromptTuner([LONG], config=config, out_dir=tmp_path / "tuning")
    ids = list(tuner.picker.options)
    assert ids[0] == "us-constitution#s1" and all(i.startswith("us-constitution#s") for i in ids)
    tuner.picker.value = tuple(ids[:2])
    variant = asyncio.run(tuner.run_variant())
    rounds = variant.run.records("rounds")
    assert {r["doc_id"] for r in rounds} == set(ids[:2])
    assert all(r["parent"] == "us-constitution" for r in rounds)


def test_the_round_browser_lists_many_sections_in_their_order(tmp_path):
    from workbench.notebook.widgets import RoundBrowser

    config = {"documents": {"chunk_tokens": 700}, "max_rounds": 1}
    run = workbench.run([LONG], config, out=tmp_path / "r")
    browser = RoundBrowser(run.dir)
    ids = [value for _, value in browser.document.options][1:]
    assert len(ids) >= 10
    assert ids == [f"us-constitution#s{k}" for k in range(1, len(ids) + 1)]
