"""Human reviews: typed, validated on write and on read, append-only, the latest per example wins."""

from __future__ import annotations

import json
import shutil

import pytest
from pydantic import ValidationError

import workbench
from workbench.errors import RunDirError
from workbench.records import (
    FORMAT_VERSION,
    MAX_NOTE,
    Review,
    append_review,
    latest_reviews,
    make_review,
    read_reviews,
    review_counts,
)


@pytest.fixture
def run_dir(default_run, tmp_path):
    """A private copy of the default run (the session's run stays unreviewed)."""
    shutil.copytree(default_run.dir, tmp_path / "run")
    return tmp_path / "run"


def ids(run_dir):
    return [e["id"] for e in workbench.load_run(run_dir).records("accepted")]


@pytest.mark.parametrize(
    "change",
    [
        {"verdict": "maybe"},
        {"verdict": "KEEP"},
        {"note": "x" * (MAX_NOTE + 1)},
        {"ts": float("nan")},
        {"ts": float("inf")},
        {"example_id": "article-i"},  # not <doc_id>#r<round>
        {"example_id": "article-i#r0"},
        {"reviewer": "r" * 101},
        {"extra": 1},
    ],
)
def test_a_bad_review_is_rejected(change):
    good = {"example_id": "article-i#r4", "verdict": "keep", "note": "fine", "ts": 1.0}
    Review.model_validate(good)
    with pytest.raises(ValidationError):
        Review.model_validate(good | change)


def test_a_note_at_the_cap_is_kept():
    r = make_review("article-i#r4", "reject", "n" * MAX_NOTE)
    assert len(r.note) == MAX_NOTE and r.format_version == FORMAT_VERSION and r.ts > 0


def test_append_and_read_back(run_dir):
    first, second = ids(run_dir)[:2]
    written = [
        append_review(run_dir, make_review(first, "keep", "clear question", "ana", ts=10.0)),
        append_review(run_dir, make_review(second, "reject", "<b>leaks</b> the answer", ts=11.0)),
    ]
    assert read_reviews(run_dir) == written
    lines = (run_dir / "reviews.jsonl").read_text().splitlines()
    assert [json.loads(x)["example_id"] for x in lines] == [first, second]
    assert json.loads(lines[1])["note"] == "<b>leaks</b> the answer"  # stored as text
    assert workbench.load_run(run_dir).typed("reviews") == written


def test_the_latest_review_wins(run_dir):
    first, second, *rest = ids(run_dir)
    append_review(run_dir, make_review(first, "keep", ts=1.0))
    append_review(run_dir, make_review(second, "keep", ts=2.0))
    append_review(run_dir, make_review(first, "reject", "changed my mind", ts=3.0))
    latest = latest_reviews(run_dir)
    assert {k: v.verdict for k, v in latest.items()} == {first: "reject", second: "keep"}
    assert latest[first].note == "changed my mind"
    assert workbench.load_run(run_dir).reviews == latest
    assert review_counts(run_dir) == {"kept": 1, "rejected": 1, "unreviewed": len(rest)}


def test_no_reviews_yet(run_dir):
    assert read_reviews(run_dir) == [] and workbench.load_run(run_dir).reviews == {}
    assert review_counts(run_dir) == {"kept": 0, "rejected": 0, "unreviewed": len(ids(run_dir))}


def test_only_accepted_examples_can_be_reviewed(run_dir):
    with pytest.raises(RunDirError, match="no accepted example 'preamble#r99'"):
        append_review(run_dir, make_review("preamble#r99", "keep"))
    assert not (run_dir / "reviews.jsonl").exists()


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"example_id": "a#r1", "verdict": "maybe", "ts": 1, "format_version": 1}', "verdict"),
        ('{"example_id": "a#r1", "verdict": "keep", "ts": NaN, "format_version": 1}', "ts"),
        ("not json at all", "corrupt record"),
        ('["a list"]', "not a record"),
    ],
)
def test_a_bad_line_is_one_line_naming_the_file_and_line(run_dir, line, why):
    first = ids(run_dir)[0]
    append_review(run_dir, make_review(first, "keep", ts=1.0))
    with open(run_dir / "reviews.jsonl", "a") as f:
        f.write(line + "\n")
    append_review(run_dir, make_review(first, "reject", ts=2.0))
    with pytest.raises(RunDirError) as err:
        latest_reviews(run_dir)
    message = str(err.value)
    assert "\n" not in message and f"{run_dir / 'reviews.jsonl'}:2:" in message
    assert why in message


def test_a_torn_last_line_is_dropped(run_dir):
    first = ids(run_dir)[0]
    append_review(run_dir, make_review(first, "keep", ts=1.0))
    with open(run_dir / "reviews.jsonl", "a") as f:
        f.write('{"example_id": "')
    assert [r.verdict for r in read_reviews(run_dir)] == ["keep"]


def test_the_summary_and_report_count_reviews(run_dir):
    from tests.support import cli

    first, second, *rest = ids(run_dir)
    assert "reviews" not in workbench.load_run(run_dir).summary
    append_review(run_dir, make_review(first, "keep", ts=1.0))
    append_review(run_dir, make_review(second, "reject", "leaks", ts=2.0))
    summary = workbench.load_run(run_dir).summary
    assert summary["reviews"] == {"kept": 1, "rejected": 1, "unreviewed": len(rest)}
    report = cli("report", str(run_dir))
    assert report.returncode == 0
    assert f"1 kept, 1 rejected, {len(rest)} not reviewed" in report.stdout
    (run_dir / "reviews.jsonl").write_text('{"verdict": "keep"}\n', encoding="utf-8")
    damaged = cli("report", str(run_dir))
    assert damaged.returncode == 2 and "reviews.jsonl:1" in damaged.stderr
