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


# A paper-style rubric: positive criteria (what a correct answer states) and negative ones
# (a specific mistake). A negative criterion that is "met" is the mistake made: it subtracts.
PAPER_WEIGHTS = [10, 6, 4, 2, -5, -3, -2]  # Σ positive = 22


def test_a_paper_rubric_without_mistakes_scores_its_positive_share():
    assert answer_score(PAPER_WEIGHTS, [1, 1, 1, 1, 0, 0, 0]) == 1.0
    assert answer_score(PAPER_WEIGHTS, [1, 0, 1, 0, 0, 0, 0]) == pytest.approx(14 / 22)


def test_a_mistake_made_subtracts_its_weight_over_the_positive_total():
    # Everything right but one mistake: (22 - 5) / 22, not 22 / 27 and not 1.
    assert answer_score(PAPER_WEIGHTS, [1, 1, 1, 1, 1, 0, 0]) == pytest.approx(17 / 22)
    assert raw_score(PAPER_WEIGHTS, [1, 1, 1, 1, 1, 1, 1]) == pytest.approx(12 / 22)


def test_mistakes_beyond_the_credit_clip_to_zero_but_the_raw_score_keeps_them():
    met = [0, 0, 0, 1, 1, 1, 1]  # 2 - 10 = -8
    assert raw_score(PAPER_WEIGHTS, met) == pytest.approx(-8 / 22)
    assert answer_score(PAPER_WEIGHTS, met) == 0.0


def test_partial_credit_on_a_mistake_subtracts_in_proportion():
    met = [1, 1, 1, 1, 0.5, 0, 0]
    assert answer_score(PAPER_WEIGHTS, met) == pytest.approx((22 - 2.5) / 22)


def test_negative_criteria_never_raise_a_score_above_one():
    # Not making a mistake earns nothing: the positive total is the ceiling.
    assert answer_score([5, -5], [1, 0]) == 1.0
    assert raw_score([5, -5], [1, 0]) == 1.0


def test_a_benchmark_averages_raw_scores_then_floors_at_zero():
    # PRBench: per-task raw scores (negative allowed) averaged, then max(0, ·).
    tasks = [
        raw_score(PAPER_WEIGHTS, [0, 0, 0, 1, 1, 1, 1]),
        raw_score(PAPER_WEIGHTS, [1] * 4 + [0] * 3),
    ]
    assert benchmark_score(tasks) == pytest.approx((-8 / 22 + 1) / 2)
