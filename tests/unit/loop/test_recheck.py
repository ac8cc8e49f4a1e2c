"""A stored round's decision re-derived from its stored scores and the run's thresholds."""

from __future__ import annotations

import json

from tests.support import FIXTURES
from workbench.config import Thresholds
from workbench.loop import decision_problem
from workbench.records import read_records

V0 = FIXTURES / "runs" / "v0-agentic"
T = Thresholds.model_validate(json.loads((V0 / "config.json").read_text())["thresholds"])


def rounds():
    return read_records(V0 / "rounds.jsonl", "rounds")


def test_every_stored_round_gets_its_own_decision_back():
    assert [decision_problem(r, T, 3) for r in rounds()] == [None] * len(rounds())


def test_a_rejected_round_relabelled_accepted_is_caught():
    for r in rounds():
        if r.decision in ("accepted", "error"):
            continue
        forged = r.model_copy(update={"decision": "accepted"})
        problem = decision_problem(forged, T, 3)
        assert problem is not None and f"gives {r.decision!r}" in problem, r.decision


def test_an_accepted_round_relabelled_is_caught():
    r = next(r for r in rounds() if r.decision == "accepted")
    assert "gives 'accepted'" in decision_problem(
        r.model_copy(update={"decision": "too_easy"}), T, 3
    )


def test_an_error_round_carries_no_scores_and_scores_must_settle():
    r = next(r for r in rounds() if r.decision == "accepted")
    assert "with scores" in decision_problem(r.model_copy(update={"decision": "error"}), T, 3)
    short = r.model_copy(update={"weak_scores": r.weak_scores[:1], "strong_scores": None})
    assert "do not settle" in decision_problem(short, T, 3)


def test_a_quality_verdict_flipped_to_ok_is_caught():
    r = next(r for r in rounds() if r.quality is not None and not r.quality.ok)
    flipped = r.model_copy(update={"quality": r.quality.model_copy(update={"ok": True})})
    assert "disagrees with its own checks" in decision_problem(flipped, T, 3)
