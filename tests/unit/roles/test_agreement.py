"""Fleiss' kappa and percent agreement against hand-computed examples."""

import pytest

from workbench.roles import Agreement, criterion_verdicts, fleiss, low_agreement

T, F = True, False


def test_three_raters_four_answers():
    # met counts 3, 0, 2, 1 of 3: P_i = 1, 1, 1/3, 1/3 -> P = 2/3; p(met) = 6/12 -> Pe = 1/2;
    # kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3.
    result = fleiss([[T, T, T], [F, F, F], [T, T, F], [T, F, F]])
    assert result.answers == 4
    assert result.agreement == pytest.approx(2 / 3, abs=1e-6)
    assert result.kappa == pytest.approx(1 / 3, abs=1e-6)


def test_skewed_categories_lower_kappa_for_the_same_agreement():
    # met counts 3, 3, 3, 2 of 3: P = (1 + 1 + 1 + 1/3) / 4 = 5/6; p(met) = 11/12 ->
    # Pe = 121/144 + 1/144 = 122/144; kappa = (120/144 - 122/144) / (22/144) = -1/11.
    result = fleiss([[T, T, T], [T, T, T], [T, T, T], [T, T, F]])
    assert result.agreement == pytest.approx(5 / 6, abs=1e-6)
    assert result.kappa == pytest.approx(-1 / 11, abs=1e-6)


def test_two_raters_always_disagreeing_is_minus_one():
    result = fleiss([[T, F], [F, T], [T, F], [F, T]])
    assert result == Agreement(4, 0.0, -1.0)


def test_perfect_agreement_on_both_categories_is_one():
    assert fleiss([[T, T], [F, F]]) == Agreement(2, 1.0, 1.0)


def test_all_the_same_verdict_leaves_kappa_undefined():
    assert fleiss([[T, T, T], [T, T, T]]) == Agreement(2, 1.0, None)


def test_abstentions_are_left_out_of_their_answer():
    # rows (T, T), (F, F, T), (T, F) after dropping None: P_i = 1, 1/3, 0 -> P = 4/9;
    # met 4 of 7 ratings -> Pe = 16/49 + 9/49 = 25/49; kappa = (4/9 - 25/49) / (24/49) = -29/216.
    result = fleiss([[T, T, None], [F, F, T], [T, F, None], [None, None, T]])
    assert result.answers == 3  # the last answer has one grader: nothing to agree on
    assert result.agreement == pytest.approx(4 / 9, abs=1e-6)
    assert result.kappa == pytest.approx(-29 / 216, abs=1e-6)


def test_nothing_measurable():
    assert fleiss([]) == Agreement(0, None, None)
    assert fleiss([[T, None], [None, None]]) == Agreement(0, None, None)


def test_low_agreement_thresholds():
    assert low_agreement(Agreement(4, 0.6, 0.5), 0.8, 0.4)  # agreement too low
    assert low_agreement(Agreement(4, 0.9, 0.1), 0.8, 0.4)  # kappa too low
    assert not low_agreement(Agreement(4, 0.9, 0.5), 0.8, 0.4)
    assert not low_agreement(Agreement(4, 1.0, None), 0.8, 0.4)  # unanimous
    assert not low_agreement(Agreement(0, None, None), 0.8, 0.4)


def test_criterion_verdicts_read_credit_from_one_half():
    panels = [[[1.0, 0.0], [0.5, 0.4], None]]
    assert criterion_verdicts(panels, 0) == [[T, T, None]]
    assert criterion_verdicts(panels, 1) == [[F, F, None]]
