"""The final filter's verdicts: filtered.jsonl, one line per accepted example.

Written whole and atomically by `workbench filter` (a re-run replaces it); read back strictly:
every line UTF-8, a filter record, of an example in accepted.jsonl, once. `retained_ids` is
what exports use; `filter_counts` what the summary and the dataset card report."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from workbench.errors import RunDirError
from workbench.records._jsonl import dumps, write_text_atomic
from workbench.records._types import Quality, Record

FILTERED_FILE = "filtered.jsonl"
REASONS = (
    "reference_leak",
    "short_context",
    "malformed_rubric",
    "failed_verifier",
    "verifier_error",
)
"""The kinds of reason an example is not retained; each reason line starts with one and `:`."""


class FilterChecks(BaseModel):
    """What the final filter measured on one example."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    context_chars: int = Field(ge=0)
    """Characters of the context (stripped)."""
    context_words: int = Field(ge=0)
    """Words of the context."""
    longest_shared_words: int = Field(ge=0)
    """The longest run of consecutive reference-answer words found verbatim in the context."""
    distinctive_words: int = Field(ge=0)
    """The reference's distinctive words: content words (not stopwords, 3+ letters) that are
    not in the question."""
    reference_share: float | None = Field(ge=0, le=1)
    """Share of the distinctive words that occur in the context (None: too few to judge)."""
    rubric_problems: list[str] = Field(default_factory=list)
    """What is wrong with the rubric (the challenger's checks with the run's rules, no positive
    criterion, duplicate criteria)."""
    verifier: Quality | None = None
    """The re-verification's verdict (None: not re-verified, or the call failed)."""
    verifier_error: str | None = None
    """The one-line error of a re-verification that failed."""


class FilterRecord(Record):
    """The final filter's verdict on one accepted example: a line of filtered.jsonl."""

    example_id: str = Field(min_length=1)
    """The example (`<doc_id>#r<round>`, as in accepted.jsonl)."""
    doc_id: str
    """Its source document."""
    retained: bool
    """Passed every check: exports use the retained examples."""
    reasons: list[str] = Field(default_factory=list)
    """Why it was not retained, one line per failed check, each starting with its kind
    (`REASONS`); empty when retained."""
    verified: bool
    """Whether it was re-verified by the quality verifier (false with `--no-verify`)."""
    checks: FilterChecks
    """What was measured."""
    ts: float
    """Unix time of the filter pass."""


def filtered_path(run_dir: str | Path) -> Path:
    return Path(run_dir) / FILTERED_FILE


def write_filtered(run_dir: str | Path, records: list[FilterRecord]) -> Path:
    """Replace RUN_DIR/filtered.jsonl with `records` (atomically: a reader sees the old file or
    the new one, whole)."""
    lines = []
    for r in records:
        data = r.model_dump(mode="json")
        FilterRecord.model_validate(data)
        lines.append(dumps(data) + "\n")
    path = filtered_path(run_dir)
    write_text_atomic(path, "".join(lines))
    return path


def filtered_problems(path: Path, example_ids: set[str] | None) -> list:
    """What is wrong in filtered.jsonl, line by line (a `Problem` each): bytes that are not
    UTF-8, a line that is not a filter record, an example not in accepted.jsonl (when
    `example_ids` is given), an example twice. No file: nothing wrong."""
    from workbench.records._read import parse_record
    from workbench.records._validate import Problem

    if not path.is_file():
        return []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [Problem(path.name, None, f"unreadable ({exc.strerror})")]
    out, seen = [], {}
    for n, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            record = parse_record("filtered", json.loads(line.decode("utf-8")), "")
        except UnicodeDecodeError:
            out.append(Problem(path.name, n, "not UTF-8 text (damaged bytes)"))
            continue
        except json.JSONDecodeError:
            out.append(Problem(path.name, n, "not JSON (a corrupt line)"))
            continue
        except RunDirError as exc:
            out.append(Problem(path.name, n, str(exc).removeprefix(": ")))
            continue
        if example_ids is not None and record.example_id not in example_ids:
            what = f"example {record.example_id!r} is not in accepted.jsonl"
            out.append(Problem(path.name, n, what))
        elif record.example_id in seen:
            what = f"example {record.example_id!r} again (first at line {seen[record.example_id]})"
            out.append(Problem(path.name, n, what))
        else:
            seen[record.example_id] = n
    return out


def read_filtered(run_dir: str | Path, example_ids: set[str] | None = None) -> list[FilterRecord]:
    """Every line of RUN_DIR/filtered.jsonl (none when the run was never filtered); anything
    wrong is one line naming the file and line (RunDirError)."""
    from workbench.records._read import parse_record

    path = filtered_path(run_dir)
    problems = filtered_problems(path, example_ids)
    if problems:
        p = problems[0]
        raise RunDirError(
            f"{p.where(Path(run_dir))}: {p.what}; run `workbench filter {run_dir}` again to "
            "rewrite it"
        )
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_record("filtered", json.loads(t), "") for t in lines if t.strip()]


def filter_counts(run_dir: str | Path, example_ids: list[str]) -> dict[str, int] | None:
    """{"accepted", "filtered", "retained"} over the run's accepted examples (`example_ids`),
    None when the run has no filtered.jsonl. `filtered` < `accepted`: examples accepted after
    the filter ran (they count as not retained until it runs again)."""
    if not filtered_path(run_dir).is_file():
        return None
    ids = set(example_ids)
    records = [r for r in read_filtered(run_dir, ids) if r.example_id in ids]
    return {
        "accepted": len(ids),
        "filtered": len(records),
        "retained": sum(r.retained for r in records),
    }


def retained_ids(run_dir: str | Path, example_ids: list[str]) -> set[str] | None:
    """The retained examples' ids; None when the run has no filtered.jsonl. RunDirError when
    filtered.jsonl does not cover every accepted example (run the filter again)."""
    if not filtered_path(run_dir).is_file():
        return None
    records = read_filtered(run_dir, set(example_ids))
    missing = set(example_ids) - {r.example_id for r in records}
    if missing:
        raise RunDirError(
            f"{filtered_path(run_dir)} covers {len(records)} of {len(example_ids)} accepted "
            f"examples (e.g. not {sorted(missing)[0]!r}: accepted after the filter ran); run "
            f"`workbench filter {run_dir}` again"
        )
    return {r.example_id for r in records if r.retained}


def reason_counts(records: list[FilterRecord]) -> dict[str, int]:
    """How many examples failed each kind of check (an example may fail several)."""
    counts = dict.fromkeys(REASONS, 0)
    for r in records:
        for kind in {reason.split(":", 1)[0] for reason in r.reasons}:
            counts[kind] = counts.get(kind, 0) + 1
    return counts
