from math import comb

import pytest

from workbench.config import min_p_value, smallest_rollouts
from workbench.loop import permutation_p_value


def test_min_p_value_per_group_size():
    assert min_p_value(2, 2) == pytest.approx(1 / 6)
    assert min_p_value(3, 3) == pytest.approx(0.05)
    assert min_p_value(4, 4) == pytest.approx(1 / 70)


def test_complete_separation_reaches_the_minimum():
    assert permutation_p_value([0.9, 0.8, 1.0], [0.1, 0.0, 0.2]) == pytest.approx(0.05)


def test_hand_computed_overlap():
    # pooled 0.8, 0.85, 0.8, 0, 0, 0.85; strong sum 2.45. Subsets of 3 with sum >= 2.45:
    # both 0.85s with either 0.8 (2.5, twice), either 0.85 with both 0.8s (2.45, twice): 4 of 20.
    assert permutation_p_value([0.8, 0.85, 0.8], [0.0, 0.0, 0.85]) == pytest.approx(4 / 20)


def test_ties_and_zero_variance_are_valid():
    assert permutation_p_value([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]) == 1.0
    assert permutation_p_value([1.0, 1.0, 1.0], [0.0, 0.0, 0.0]) == pytest.approx(1 / comb(6, 3))


def test_direction_is_one_sided():
    assert permutation_p_value([0.0, 0.1, 0.2], [0.8, 0.9, 1.0]) == 1.0


def test_smallest_rollouts_for_alpha():
    assert smallest_rollouts(0.05) == 3
    assert smallest_rollouts(0.01) == 5
    assert smallest_rollouts(0.2) == 2


def test_large_groups_use_seeded_monte_carlo():
    strong = [0.9] * 12 + [0.7] * 3
    weak = [0.1] * 12 + [0.3] * 3
    p1 = permutation_p_value(strong, weak)
    assert p1 < 1e-3
    assert permutation_p_value(strong, weak) == p1


def test_empty_group_is_an_error():
    with pytest.raises(ValueError):
        permutation_p_value([], [0.1])
