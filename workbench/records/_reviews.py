"""Human review of accepted examples: reviews.jsonl, one keep/reject verdict per line.

Append-only like the other record files: a reviewer who changes their mind appends a new
line, and the latest review of an example wins. Notes are data (length-capped, validated
on write and on read), never markup.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from pydantic import Field

from workbench.errors import RunDirError
from workbench.records._jsonl import Appender
from workbench.records._types import Record

REVIEWS_FILE = "reviews.jsonl"
MAX_NOTE = 2000
"""Longest note a review keeps (characters)."""
MAX_REVIEWER = 100
Verdict = Literal["keep", "reject"]


class Review(Record):
    """A reviewer's verdict on one accepted example: a line of reviews.jsonl."""

    example_id: str = Field(min_length=1, max_length=500, pattern=r"^.+#r[1-9][0-9]*$")
    """The example reviewed: `<doc_id>#r<round>`, as in accepted.jsonl."""
    verdict: Verdict
    """`keep` or `reject`."""
    note: str = Field(default="", max_length=MAX_NOTE)
    """Why, in the reviewer's words (plain text)."""
    reviewer: str | None = Field(default=None, max_length=MAX_REVIEWER)
    """Who reviewed (from the widget's box or $USER), if known."""
    ts: float = Field(ge=0)
    """Unix time of the review."""


def make_review(
    example_id: str,
    verdict: str,
    note: str = "",
    reviewer: str | None = None,
    ts: float | None = None,
) -> Review:
    """A validated Review (ValidationError on a bad verdict, an oversize note, ...)."""
    return Review.model_validate(
        {
            "example_id": example_id,
            "verdict": verdict,
            "note": note,
            "reviewer": reviewer or None,
            "ts": time.time() if ts is None else ts,
        }
    )


def append_review(run_dir: str | Path, review: Review) -> Review:
    """Append `review` to RUN_DIR/reviews.jsonl (fsynced); the example must be in accepted.jsonl."""
    from workbench.records._read import read_records

    run_dir = Path(run_dir)
    data = review.model_dump(mode="json")
    Review.model_validate(data)  # a model_copy(update=...) skips validation: check here
    ids = {e.id for e in read_records(run_dir / "accepted.jsonl", "accepted")}
    if review.example_id not in ids:
        raise RunDirError(f"{run_dir}: no accepted example {review.example_id!r} to review")
    appender = Appender(run_dir / REVIEWS_FILE)
    try:
        appender.append(data)
    finally:
        appender.close()
    return review


def read_reviews(run_dir: str | Path) -> list[Review]:
    """Every review in file order (none if the run has no reviews.jsonl)."""
    from workbench.records._read import read_records

    return read_records(Path(run_dir) / REVIEWS_FILE, "reviews")


def latest_reviews(run_dir: str | Path) -> dict[str, Review]:
    """The latest review of each example (later lines win), by example id."""
    latest: dict[str, Review] = {}
    for r in read_reviews(run_dir):
        latest[r.example_id] = r
    return latest


def review_counts(run_dir: str | Path) -> dict[str, int]:
    """Accepted examples by their latest verdict: {"kept", "rejected", "unreviewed"}."""
    from workbench.records._read import read_records

    ids = [e.id for e in read_records(Path(run_dir) / "accepted.jsonl", "accepted")]
    latest = latest_reviews(run_dir)
    verdicts = [latest[i].verdict if i in latest else None for i in ids]
    return {
        "kept": verdicts.count("keep"),
        "rejected": verdicts.count("reject"),
        "unreviewed": verdicts.count(None),
    }
