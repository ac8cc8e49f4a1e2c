import pytest

from workbench.roles import answer_score, benchmark_score, clip01, raw_score


def test_positive_weights():
    assert raw_score([5, 3, 2], [1, 0, 1]) == pytest.approx(7 / 10)


def test_negative_weights_subtract_but_do_not_normalise():
    # Σ w·met / Σ positive w: (5 + 2 - 3) / 7
    assert raw_score([5, 2, -3], [1, 1, 1]) == pytest.approx(4 / 7)


def test_clipping_to_unit_interval():
    assert raw_score([2, -7], [0, 1]) == pytest.approx(-3.5)
    assert answer_score([2, -7], [0, 1]) == 0.0
    assert clip01(1.5) == 1.0


def test_partial_credit():
    assert raw_score([4, 4], [0.5, 1.0]) == pytest.approx(0.75)


def test_no_positive_weight_scores_zero():
    assert raw_score([-2], [1]) == 0.0


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError):
        raw_score([1, 2], [1])


def test_benchmark_figure_is_clipped_mean():
    assert benchmark_score([-0.5, 0.1, 0.2]) == 0.0
    assert benchmark_score([0.2, 0.4]) == pytest.approx(0.3)
