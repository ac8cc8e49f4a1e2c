"""A weak side that collapses to 0 is `too_hard`, never `too_easy`: in decide(), in the loop,
in the feedback the challenger reads, and in re-decisions of stored rounds."""

from __future__ import annotations

import random

import pytest

import workbench
from tests.support import DOCS
from workbench import analysis
from workbench.config import thresholds
from workbench.loop import decide
from workbench.loop._acceptance import decide_in_order
from workbench.roles import challenger_variables, feedback_groups, feedback_line, load_prompts

AUTODATA = thresholds("autodata")


def test_a_weak_zero_under_autodata_is_too_hard():
    v = decide([0.0, 0.2, 0.1], [0.9, 0.8, 0.9], AUTODATA)
    assert v.decision == "too_hard" and v.reason == "a weak rollout scored 0"
    assert decide([0.7, 0.8, 0.7], [0.9, 0.8, 0.9], AUTODATA).decision == "too_easy"
    # the seed preset does not reject a weak 0: a clean sweep is accepted
    assert decide([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], thresholds("seed")).decision == "accepted"


def test_decide_agrees_with_the_loop_on_every_order_of_scores():
    """decide() over stored scores gives the decision the loop reached while rollouts arrived
    (decide_in_order), for both presets and shuffled score lists, mixed cases included."""
    rng = random.Random(0)
    levels = [0.0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 1.0]
    for preset in ("autodata", "seed"):
        t = thresholds(preset)
        for _ in range(2000):
            k = rng.choice([3, 4, 5])
            weak = [rng.choice(levels) for _ in range(k)]
            strong = [rng.choice(levels) for _ in range(k)]
            loop, _, _ = decide_in_order(weak, strong, k, t)
            assert decide(weak, strong, t).decision == loop.decision, (preset, weak, strong)


def test_the_challenger_is_told_too_hard_not_too_easy():
    line = feedback_line("too_hard", "a weak rollout scored 0", 0.0, None, None, None)
    assert line.startswith("TOO HARD") and "TOO EASY" not in line
    groups = feedback_groups(
        [
            {
                "round": 1,
                "decision": "too_hard",
                "task": {"question": "Q?"},
                "weak_mean": 0.0,
                "reason": "a weak rollout scored 0",
            }
        ]
    )
    assert groups["any"] and [g["question"] for g in groups["too_hard"]] == ["Q?"]
    assert groups["too_easy"] == []
    variables = challenger_variables(
        boundary="0123456789ab",
        doc_id="d",
        document="text",
        round=2,
        max_rounds=10,
        rubric={
            "min_criteria": 2,
            "max_criteria": 10,
            "max_weight": 7,
            "allow_negative": False,
            "max_criterion_chars": 500,
        },
        feedback=groups,
    )
    prompt = load_prompts().render("challenger", **variables)
    assert (
        "TOO HARD" in prompt
        and '1. [open] "Q?" — weak avg: 0%' in prompt
        and "TOO EASY" not in prompt
    )


@pytest.mark.slow
def test_an_autodata_run_records_too_hard_and_redecides_to_itself(tmp_path):
    run = workbench.run(
        [DOCS / "article-i.txt", DOCS / "article-iii.txt", DOCS / "preamble.txt"],
        {"acceptance": {"preset": "autodata"}, "max_rounds": 6},
        out=tmp_path / "r",
    )
    rounds = run.records("rounds")
    too_hard = [r for r in rounds if r["decision"] == "too_hard"]
    assert too_hard, [r["decision"] for r in rounds]
    assert all(0.0 in r["weak_scores"] for r in too_hard)
    assert not [
        r
        for r in rounds
        if r["decision"] != "too_hard" and r["reason"] == "a weak rollout scored 0"
    ]
    assert all(r["feedback"].startswith("TOO HARD") for r in too_hard)
    assert run.summary["decisions"]["too_hard"] == len(too_hard)
    redecided = analysis.redecide(run.rounds, run.config.thresholds())
    assert analysis.flips(redecided).empty
