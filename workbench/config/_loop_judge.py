"""The loop judge's config section: whether it is called, and the forced-improve rules.

A leaf of the config: the rules themselves are pure functions in loop/_loop_judge.py."""

from __future__ import annotations

from pydantic import Field

from workbench.config._model_spec import Strict

LOOP_JUDGE_PRESETS = ("legal",)
"""Acceptance presets under which the loop judge is on unless `loop_judge.enabled` says otherwise."""


class LoopJudge(Strict):
    """The loop judge (the legal pipeline's): after both sides' rollouts, a model reads the task
    and the rollouts' scores and answers `accept` or `improve`, with a GRPO-suitability rating
    from 1 to 5. Questions the rules below catch are sent back (`improve`) whatever it says."""

    enabled: bool | None = None
    """Call the loop judge on every round the thresholds accept. None (default): on under the
    `legal` acceptance preset, off under the others."""
    max_question_chars: int | None = Field(default=1000, ge=1)
    """A question longer than this many characters is forced to `improve` (a question of
    exactly this length is not). None: no length rule. (The legal pipeline forces long questions
    to improve; the source gives no number: 1000 characters is this workbench's default.)"""
    case_recap_check: bool = True
    """Also force `improve` when the question asks for a recap of a case (summarise, recap or
    restate its facts, holding or procedural history), by a fixed pattern over the question's
    text. The loop judge's own `case_recap` flag forces `improve` either way."""
    answer_chars: int = Field(default=400, ge=0, le=100_000)
    """Characters of each rollout's answer the loop judge is shown (the rest is cut, marked
    `…`); 0 shows scores only."""
