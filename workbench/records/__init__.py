"""The run directory and its typed records: JSONL append and read, summary, resume, lock."""

from __future__ import annotations

from workbench.records._jsonl import (
    Appender,
    WriteFailed,
    dumps,
    numbered_lines,
    read_jsonl,
    write_json_atomic,
    write_text_atomic,
)
from workbench.records._lock import RunLock
from workbench.records._manifest import MANIFEST, manifest, read_manifest, write_manifest
from workbench.records._panel import CriterionAgreement, MemberGrade
from workbench.records._read import read_records, read_summary
from workbench.records._resume import (
    RESUMABLE,
    check_compatible,
    drop_torn_tails,
    progress,
    read_header,
)
from workbench.records._reviews import (
    MAX_NOTE,
    REVIEWS_FILE,
    Review,
    append_review,
    latest_reviews,
    make_review,
    read_reviews,
    review_counts,
)
from workbench.records._run import Run, RunWriter, load_run, recompute_summary
from workbench.records._state import history_entry, mean, rounded, to_example
from workbench.records._summary import Tally, format_decisions, format_summary
from workbench.records._types import (
    DECISIONS,
    FORMAT_VERSION,
    CallRecord,
    Decision,
    Example,
    LoopJudgeVerdict,
    Quality,
    Rollout,
    RoundRecord,
    Summary,
)
from workbench.records._upgrade import upgrade
from workbench.records._validate import (
    EXAMPLE_FIELDS,
    DecisionCheck,
    Problem,
    count_problems,
    example_problems,
    parse_lines,
    refusal,
    round_problems,
)

__all__ = [
    "numbered_lines",
    "EXAMPLE_FIELDS",
    "DecisionCheck",
    "MANIFEST",
    "Problem",
    "WriteFailed",
    "count_problems",
    "example_problems",
    "manifest",
    "parse_lines",
    "read_manifest",
    "refusal",
    "round_problems",
    "write_manifest",
    "mean",
    "Appender",
    "CallRecord",
    "DECISIONS",
    "Decision",
    "Example",
    "FORMAT_VERSION",
    "MAX_NOTE",
    "REVIEWS_FILE",
    "LoopJudgeVerdict",
    "Quality",
    "RESUMABLE",
    "Review",
    "Rollout",
    "CriterionAgreement",
    "MemberGrade",
    "RoundRecord",
    "Run",
    "RunLock",
    "RunWriter",
    "Summary",
    "Tally",
    "append_review",
    "check_compatible",
    "drop_torn_tails",
    "dumps",
    "format_decisions",
    "format_summary",
    "history_entry",
    "latest_reviews",
    "load_run",
    "make_review",
    "progress",
    "read_header",
    "read_jsonl",
    "read_records",
    "read_reviews",
    "review_counts",
    "read_summary",
    "recompute_summary",
    "rounded",
    "to_example",
    "upgrade",
    "write_json_atomic",
    "write_text_atomic",
]
