"""The final filter's settings (`filter` section): what a retained example must pass."""

from __future__ import annotations

from pydantic import Field

from workbench.config._model_spec import Strict


class Filter(Strict):
    """`workbench filter RUN_DIR` (and `final_filter = true`): the checks a retained accepted
    example must pass after the loop (the published final quality pass)."""

    min_context_chars: int = Field(default=200, ge=0)
    """A context shorter than this many characters (stripped) is `short_context`."""
    min_context_words: int = Field(default=30, ge=0)
    """A context with fewer words than this is `short_context`."""
    leak_ngram: int = Field(default=10, ge=2, le=1000)
    """`reference_leak` when the reference answer and the context share a run of at least this
    many consecutive words (lower-cased, punctuation ignored) that the question does not show."""
    leak_share: float = Field(default=0.8, gt=0, le=1)
    """`reference_leak` when at least this share of the reference's distinctive words (content
    words that are not in the question) appear in the context."""
    leak_min_words: int = Field(default=5, ge=1)
    """The share test applies only to a reference with at least this many distinctive words
    (a one-word answer that also occurs in the context is not by itself a leak)."""
    verify: bool = True
    """Re-verify every accepted example with the run's quality verifier (a model call each,
    recorded in calls.jsonl with `stage: filter`, cached and counted in the budget)."""
