"""Per-side rollouts (`weak_rollouts`, `strong_rollouts`): the in-order decision, the permutation
test with unequal groups, reachability, re-decisions of stored rounds and the dry-run bound."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import redecide
from workbench.config import RunConfig, check_reachable, load_config, min_p_value, thresholds
from workbench.errors import ConfigError
from workbench.inputs import Document
from workbench.loop import decide, decision_problem, permutation_p_value, upper_bound
from workbench.loop._acceptance import decide_in_order, per_side
from workbench.records import RoundRecord
from workbench.roles import load_prompts

SEED = thresholds("seed")
AUTODATA = thresholds("autodata")


def test_rollouts_sets_both_sides_and_a_side_key_wins():
    assert RunConfig().planned_rollouts() == {"weak": 3, "strong": 3}
    assert RunConfig(rollouts=5).planned_rollouts() == {"weak": 5, "strong": 5}
    cfg = RunConfig(rollouts=5, strong_rollouts=2)
    assert (cfg.side_rollouts("weak"), cfg.side_rollouts("strong")) == (5, 2)
    with pytest.raises(ValueError, match="unknown side"):
        cfg.side_rollouts("judge")


def test_cli_set_reaches_one_side():
    cfg = load_config(sets=["weak_rollouts=5"])
    assert cfg.planned_rollouts() == {"weak": 5, "strong": 3}
    with pytest.raises(ConfigError, match="weak_rollouts"):
        load_config(sets=["weak_rollouts=0"])


def test_per_side_reads_one_count_or_a_mapping():
    assert per_side(3) == (3, 3)
    assert per_side({"weak": 5, "strong": 3}) == (5, 3)
    assert per_side(None) == (None, None)


def test_decide_in_order_waits_for_each_sides_own_count():
    t = AUTODATA
    weak = [0.4, 0.5, 0.45, 0.5, 0.4]
    strong = [0.9, 0.85, 0.8]
    verdict, m, n = decide_in_order(weak, strong, {"weak": 5, "strong": 3}, t)
    assert (verdict.decision, m, n) == ("accepted", 5, 3)
    # Three weak answers do not settle a side planned with five...
    with pytest.raises(ValueError, match="3 weak rollouts do not settle the round; 5"):
        decide_in_order(weak[:3], strong, {"weak": 5, "strong": 3}, t)
    # ...and the strong side is settled against its own count: two zeros of three planned.
    verdict, m, n = decide_in_order(weak, [0.0, 0.0], {"weak": 5, "strong": 3}, t)
    assert (verdict.decision, m, n) == ("failed_on_strong", 5, 1)  # a strong 0 (strong_no_zero)
    science = thresholds("science")
    # One strong answer wrong of 3 planned: at most 2/3, under 3/4 (of 4 planned, 3/4 is open).
    verdict, m, n = decide_in_order([0.0] * 5, [0.0, 1.0], {"weak": 5, "strong": 3}, science)
    assert (verdict.decision, n) == ("failed_on_strong", 1)
    assert "after 1 of 3 rollouts" in verdict.reason
    verdict, _, n = decide_in_order([0.0] * 5, [0.0] + [1.0] * 3, {"weak": 5, "strong": 4}, science)
    assert (verdict.decision, n) == ("accepted", 4)


def test_the_weak_count_decides_when_a_prefix_settles():
    # weak_max 0.3: one weak 1.0 settles a side of 3 (at least 0.33), not a side of 4 (0.25).
    assert decide_in_order([1.0], None, {"weak": 3, "strong": 3}, SEED)[0].decision == "too_easy"
    with pytest.raises(ValueError):
        decide_in_order([1.0], None, {"weak": 4, "strong": 3}, SEED)


def test_decide_takes_one_count_or_per_side_counts():
    weak, strong = [0.1, 0.2, 0.0, 0.1], [0.9, 0.8, 1.0]
    one = decide(weak, strong, SEED)
    assert decide(weak, strong, SEED, rollouts={"weak": 4, "strong": 3}) == one
    assert decide(weak, strong, SEED, rollouts=4) == one
    assert one.decision == "accepted"
    # A stored prefix of a bigger planned side: not settled, so the strong side decides.
    assert decide([0.2], [0.9] * 3, SEED, rollouts={"weak": 4, "strong": 3}).decision != "too_easy"
    assert decide([0.9], None, SEED, rollouts={"weak": 4, "strong": 3}).decision == "strong_not_run"
    assert decide([1.0, 0.5], None, SEED, rollouts={"weak": 4, "strong": 3}).decision == "too_easy"


def test_the_permutation_test_with_unequal_groups():
    # 5 weak, 3 strong, every strong score above every weak one: p = 1 / C(8, 3) = 1/56.
    p = permutation_p_value([0.9, 0.8, 1.0], [0.1, 0.0, 0.2, 0.1, 0.3])
    assert p == pytest.approx(1 / 56) == pytest.approx(min_p_value(3, 5))
    v = decide([0.1, 0.0, 0.2, 0.1, 0.3], [0.9, 0.8, 1.0], SEED, rollouts={"weak": 5, "strong": 3})
    assert v.decision == "accepted" and v.p_value == pytest.approx(1 / 56)
    # 2 strong against 5 weak can reach 0.05 (1/21); 2 against 2 cannot (1/6).
    assert min_p_value(2, 5) == pytest.approx(1 / 21)
    assert decide([0.0] * 5, [1.0, 1.0], SEED).p_value == pytest.approx(1 / 21)


def test_reachability_counts_each_side():
    check_reachable(SEED, 5, 2)  # 1/21 <= 0.05
    with pytest.raises(ValueError, match="weak_rollouts=2 and strong_rollouts=3"):
        check_reachable(SEED, 2, 3)  # 1/10
    with pytest.raises(ValueError, match="rollouts=2 "):
        check_reachable(SEED, 2)
    load_config(sets=["rollouts=2", "weak_rollouts=5"])  # reachable: no error
    with pytest.raises(ConfigError, match="cannot be reached"):
        load_config(sets=["weak_rollouts=2", "strong_rollouts=3"])


def record(weak, strong, decision, rollouts=None, **extra) -> RoundRecord:
    return RoundRecord(
        doc_id="d",
        round=1,
        mode="agentic",
        task=None,
        quality=None,
        weak_scores=weak,
        strong_scores=strong,
        weak_mean=None,
        strong_mean=None,
        gap=None,
        p_value=None,
        decision=decision,
        reason="",
        feedback="",
        rollouts=rollouts or {},
        ts=0.0,
        **extra,
    )


def test_a_stored_round_is_rechecked_with_its_own_planned_rollouts():
    weak, strong = [0.4, 0.5, 0.45, 0.5, 0.4], [0.9, 0.85, 0.8]
    r = record(weak, strong, "accepted", {"weak": 5, "strong": 3})
    assert decision_problem(r, AUTODATA, 3) is None  # the record's counts, not the run's 3
    old = record(weak[:3], strong, "accepted")  # before per-side rollouts: the run's count
    assert decision_problem(old, AUTODATA, 3) is None
    assert "do not settle" in decision_problem(
        record(weak[:3], strong, "accepted", {"weak": 5, "strong": 3}), AUTODATA, 3
    )


def test_redecide_uses_each_rounds_planned_rollouts():
    rows = pd.DataFrame(
        [
            # A weak 1.0 settles a side of 3 under seed; one planned with 4 is not settled.
            dict(
                doc_id="a",
                round=1,
                decision="too_easy",
                reason="",
                weak_scores=[0.35],
                strong_scores=None,
                weak_mean=0.35,
                strong_mean=None,
                gap=None,
                p_value=None,
                rollouts={"weak": 1, "strong": 1},
            ),
            dict(
                doc_id="b",
                round=1,
                decision="too_easy",
                reason="",
                weak_scores=[0.35],
                strong_scores=None,
                weak_mean=0.35,
                strong_mean=None,
                gap=None,
                p_value=None,
                rollouts={"weak": 4, "strong": 4},
            ),
        ]
    )
    decided = redecide(rows, SEED)
    assert list(decided["decision"]) == ["too_easy", "strong_not_run"]


def test_the_dry_run_bound_counts_each_side():
    docs = [Document("d", "A short document about the Senate and its two Senators.", "mem")]
    prompts = load_prompts()
    base = upper_bound(RunConfig(max_rounds=1, rollouts=3), docs, prompts)
    more = upper_bound(RunConfig(max_rounds=1, weak_rollouts=5, strong_rollouts=3), docs, prompts)
    assert more.by_role["weak"]["calls"] == 5 and more.by_role["strong"]["calls"] == 3
    assert base.by_role["weak"]["calls"] == 3
    # Every answer is judged (a structured call and its re-ask): 2 per answer.
    assert more.by_role["judge"]["calls"] == 2 * (5 + 3)
