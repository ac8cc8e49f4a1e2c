"""The `science` and `legal` presets: their rules on stored scores (boundaries included), and the
run settings each implies where the config sets none."""

from __future__ import annotations

import json

import pytest

from workbench.config import PRESET_DEFAULTS, RunConfig, load_config, thresholds
from workbench.errors import ConfigError
from workbench.loop import decide
from workbench.loop._acceptance import decide_in_order

SCIENCE = thresholds("science")
LEGAL = thresholds("legal")


def binary(correct: int, of: int = 4) -> list[float]:
    """`of` reference verdicts, the first `correct` of them correct."""
    return [1.0] * correct + [0.0] * (of - correct)


def test_science_holds_the_published_rule_and_nothing_else():
    t = SCIENCE
    assert (t.weak_max, t.strong_min) == (0.25, 0.75)
    assert (t.weak_rollout_max, t.strong_max, t.min_gap, t.alpha) == (None, None, None, None)
    assert (t.weak_no_zero, t.strong_no_zero) == (False, False)


@pytest.mark.parametrize(
    ("weak", "strong", "decision"),
    [
        (0, 4, "accepted"),
        (1, 3, "accepted"),  # both boundaries: weak 1/4, strong 3/4
        (1, 4, "accepted"),
        (0, 3, "accepted"),
        (2, 4, "too_easy"),  # 2/4 weak correct is over 1/4
        (4, 4, "too_easy"),
        (0, 2, "failed_on_strong"),  # 2/4 strong correct is under 3/4
        (1, 0, "failed_on_strong"),
    ],
)
def test_science_rule_on_stored_scores(weak, strong, decision):
    w, s = binary(weak), binary(strong)
    assert decide(w, s, SCIENCE).decision == decision
    # The loop's in-order decision (any order of the verdicts) agrees.
    for order in (w, list(reversed(w))):
        assert decide_in_order(order, s, 4, SCIENCE)[0].decision == decision
        assert decide(order, s, SCIENCE, rollouts={"weak": 4, "strong": 4}).decision == decision


def test_science_all_weak_wrong_is_accepted_not_too_hard():
    """With binary verdicts a weak 0 is the norm: the science rule has no weak_no_zero."""
    v = decide(binary(0), binary(4), SCIENCE)
    assert v.decision == "accepted" and v.gap == 1.0


def test_science_settles_early_at_the_boundaries():
    # Two weak answers correct out of 4 planned: over 1/4 whatever the last two score.
    verdict, m, n = decide_in_order([1.0, 1.0], None, 4, SCIENCE)
    assert (verdict.decision, m, n) == ("too_easy", 2, 0)
    # One correct: still undecided (it could end at 1/4).
    with pytest.raises(ValueError, match="do not settle"):
        decide_in_order([1.0, 0.0], None, 4, SCIENCE)
    # Two strong answers wrong out of 4: at most 2/4, under 3/4.
    verdict, m, n = decide_in_order(binary(0), [0.0, 0.0], 4, SCIENCE)
    assert (verdict.decision, m, n) == ("failed_on_strong", 4, 2)
    # One strong answer wrong: 3/4 is still reachable.
    verdict, m, n = decide_in_order(binary(0), [0.0, 1.0, 1.0, 1.0], 4, SCIENCE)
    assert (verdict.decision, n) == ("accepted", 4)


def test_legal_thresholds_are_all_off():
    t = LEGAL
    assert all(
        getattr(t, k) is None
        for k in ("weak_max", "weak_rollout_max", "strong_min", "strong_max", "min_gap", "alpha")
    )
    assert (t.weak_no_zero, t.strong_no_zero) == (False, False)
    # No score rule rejects: what decides is the loop judge's stored verdict (its own module).
    assert decide(binary(5, 5), binary(0, 3), t).decision == "accepted"
    assert decide_in_order(binary(0, 5), binary(3, 3), {"weak": 5, "strong": 3}, t)[1:] == (5, 3)
    assert decide([0.5], None, t, False, "leaks").decision == "failed_quality"


# --- the run settings a preset implies -------------------------------------------


def test_science_implies_four_and_four_rollouts_and_reference_judging():
    cfg = load_config(sets=["acceptance.preset=science"])
    assert cfg.planned_rollouts() == {"weak": 4, "strong": 4}
    assert cfg.judge_mode == "reference" and cfg.max_rounds == 10


def test_legal_implies_five_and_three_rollouts_and_fifteen_rounds():
    cfg = load_config(sets=["acceptance.preset=legal"])
    assert cfg.planned_rollouts() == {"weak": 5, "strong": 3}
    assert cfg.max_rounds == 15 and cfg.judge_mode == "per_answer"
    assert PRESET_DEFAULTS["legal"] == {"weak_rollouts": 5, "strong_rollouts": 3, "max_rounds": 15}


def test_what_the_user_sets_wins_over_the_preset():
    cfg = load_config(sets=["acceptance.preset=legal", "rollouts=4", "max_rounds=3"])
    assert cfg.planned_rollouts() == {"weak": 4, "strong": 4} and cfg.max_rounds == 3
    cfg = load_config(sets=["acceptance.preset=legal", "strong_rollouts=6"])
    assert cfg.planned_rollouts() == {"weak": 5, "strong": 6}
    cfg = load_config(sets=["acceptance.preset=science", "judge_mode=per_answer"])
    assert cfg.judge_mode == "per_answer" and cfg.planned_rollouts() == {"weak": 4, "strong": 4}


def test_other_presets_imply_nothing():
    for preset in ("seed", "autodata"):
        cfg = load_config(sets=[f"acceptance.preset={preset}"])
        assert cfg.planned_rollouts() == {"weak": 3, "strong": 3}
        assert cfg.judge_mode == "per_answer" and cfg.max_rounds == 10


def test_the_resolved_config_shows_the_values_used_and_reads_back_the_same():
    cfg = load_config(sets=["acceptance.preset=legal"])
    written = json.loads(json.dumps(cfg.resolved().model_dump(mode="json")))
    assert (written["weak_rollouts"], written["strong_rollouts"], written["max_rounds"]) == (
        5,
        3,
        15,
    )
    back = RunConfig.model_validate(written)
    assert back.resolved().model_dump(mode="json") == written
    # Written out, the values are the config's own: a preset change on resume does not move them.
    assert load_config(base=written, sets=["acceptance.preset=seed"]).planned_rollouts() == {
        "weak": 5,
        "strong": 3,
    }


def test_reference_judging_is_binary():
    with pytest.raises(ConfigError, match="partial_credit does not apply"):
        load_config(sets=["acceptance.preset=science", "partial_credit=true"])
