"""The final filter: after the loop, drop accepted examples whose context leaks the reference
answer, whose context is short or whose rubric is malformed, and re-verify the rest with the
run's quality verifier (the published final quality pass). Its verdicts: filtered.jsonl."""

from __future__ import annotations

from workbench.filter._checks import (
    Leak,
    content_words,
    context_reasons,
    leak_reasons,
    longest_shared_run,
    measure_leak,
    rubric_problems,
    words,
)
from workbench.filter._pass import STAGE, check_example, filter_examples, reverify

__all__ = [
    "STAGE",
    "Leak",
    "check_example",
    "content_words",
    "context_reasons",
    "filter_examples",
    "leak_reasons",
    "longest_shared_run",
    "measure_leak",
    "reverify",
    "rubric_problems",
    "words",
]
