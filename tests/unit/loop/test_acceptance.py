import pytest
from pydantic import ValidationError

from workbench.config import PRESETS, Thresholds, check_reachable, resolve_thresholds
from workbench.loop import STRONG_NOT_RUN, decide


def seed(**kw):
    return resolve_thresholds(Thresholds(preset="seed", **kw))


def autodata(**kw):
    return resolve_thresholds(Thresholds(preset="autodata", **kw))


def test_presets_hold_the_published_numbers():
    a = autodata()
    assert (a.weak_max, a.weak_rollout_max, a.weak_no_zero) == (0.65, 0.75, True)
    assert (a.strong_min, a.strong_max, a.strong_no_zero, a.min_gap, a.alpha) == (
        0.60,
        0.95,
        True,
        0.20,
        None,
    )
    s = seed()
    assert (s.weak_max, s.strong_min, s.alpha) == (0.3, 0.8, 0.05)
    assert set(PRESETS) == {"seed", "autodata", "science", "legal"}


def test_seed_accepts_a_significant_gap():
    v = decide([0.1, 0.2, 0.3], [0.8, 0.9, 1.0], seed())
    assert v.decision == "accepted"
    assert v.p_value == pytest.approx(0.05)
    assert v.gap == pytest.approx(0.7)


def test_seed_boundaries_are_inclusive():
    assert decide([0.3, 0.3, 0.3], [0.8, 0.8, 0.8], seed()).decision == "accepted"
    assert decide([0.31, 0.3, 0.3], [0.8, 0.8, 0.8], seed()).decision == "too_easy"
    assert decide([0.3, 0.3, 0.3], [0.8, 0.8, 0.79], seed()).decision == "failed_on_strong"


def test_seed_overlap_is_not_significant():
    v = decide([0.0, 0.0, 0.85], [0.8, 0.85, 0.8], seed())
    assert v.decision == "not_significant"
    assert v.p_value == pytest.approx(0.2)


def test_autodata_rules():
    t = autodata()
    assert decide([0.4, 0.5, 0.45], [0.8, 0.9, 0.85], t).decision == "accepted"
    assert decide([0.4, 0.5, 0.0], [0.8, 0.9, 0.85], t).reason == "a weak rollout scored 0"
    assert decide([0.4, 0.3, 0.8], [0.8, 0.9, 0.85], t).decision == "too_easy"  # max weak > 0.75
    assert (
        decide([0.4, 0.5, 0.45], [0.95, 0.95, 0.95], t).decision == "failed_on_strong"
    )  # strong_max exclusive
    assert decide([0.4, 0.5, 0.45], [0.9, 0.9, 0.0], t).reason == "a strong rollout scored 0"
    assert "gap" in decide([0.5, 0.5, 0.5], [0.65, 0.65, 0.65], t).reason


def test_overrides_individually_and_null_disables():
    t = seed(weak_max=0.4)
    assert t.weak_max == 0.4 and t.strong_min == 0.8
    assert decide([0.35] * 3, [0.9] * 3, t).decision == "accepted"
    no_test = seed(alpha=None)
    assert decide([0.0, 0.0, 0.85], [0.8, 0.85, 0.8], no_test).decision == "accepted"


def test_quality_failure_and_missing_strong():
    v = decide([0.1], [0.9], seed(), quality_passed=False, quality_reason="leak")
    assert (v.decision, v.reason) == ("failed_quality", "leak")
    assert decide([0.1, 0.1, 0.1], None, seed()).decision == STRONG_NOT_RUN
    assert decide(None, None, seed()).decision == "error"


def test_weak_max_must_be_below_strong_min_without_a_gap_rule():
    with pytest.raises(ValidationError, match="must be below"):
        seed(weak_max=0.85)
    autodata()  # published: 0.65 >= 0.60, separated by min_gap
    with pytest.raises(ValidationError):
        autodata(min_gap=None)


def test_thresholds_outside_unit_interval_rejected():
    with pytest.raises(ValidationError):
        Thresholds(weak_max=1.5)
    with pytest.raises(ValidationError):
        Thresholds(alpha=0)


def test_unreachable_alpha_is_caught():
    check_reachable(seed(), 3)
    with pytest.raises(ValueError, match="smallest possible p-value is 0.167"):
        check_reachable(seed(), 2)
    check_reachable(autodata(), 1)


def test_decide_is_pure():
    args = ([0.1, 0.2, 0.3], [0.8, 0.9, 1.0], seed())
    assert decide(*args) == decide(*args)
