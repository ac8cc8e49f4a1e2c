import pytest

from workbench.config import Rubric
from workbench.roles import CriterionGrade, Task, check_task, normalize_grades, repair_task


def task(*weights):
    return Task(
        question="q",
        reference_answer="a",
        rubric=[{"criterion": f"c{i}", "weight": w} for i, w in enumerate(weights)],
    )


def test_valid_task_passes():
    check_task(task(3, 5), Rubric())


def test_repairs_clip_weights_drop_negatives_and_cut_extra_criteria():
    t = task(9, 0, -3, 2, 4, 5)
    repair_task(t, Rubric(max_criteria=3))
    # The negative criterion is dropped, never flipped to +1 (that would invert its meaning).
    assert [(c.criterion, c.weight) for c in t.rubric] == [("c0", 7), ("c1", 1), ("c3", 2)]
    assert t.repairs == [
        "criterion 1 weight 9 clipped to 7",
        "criterion 2 weight 0 clipped to 1",
        "criterion 3 dropped: negative weight -3 (rubric.allow_negative is false)",
        "rubric cut from 5 to 3 criteria (rubric.max_criteria)",
    ]
    check_task(t, Rubric(max_criteria=3))


def test_negatives_are_kept_when_allowed_and_clipped_in_range():
    t = task(3, -9)
    repair_task(t, Rubric(allow_negative=True))
    assert [c.weight for c in t.rubric] == [3, -7]
    assert t.repairs == ["criterion 2 weight -9 clipped to -7"]


def test_a_rubric_left_too_short_by_drops_fails_the_check():
    t = task(3, -2)
    repair_task(t, Rubric())
    with pytest.raises(ValueError, match="has 1 criteria; it needs 2 to 10"):
        check_task(t, Rubric())


def test_long_criterion_text_is_clipped_and_noted():
    t = task(3, 2)
    t.rubric[0].criterion = "x" * 100_000
    repair_task(t, Rubric(max_criterion_chars=500))
    assert len(t.rubric[0].criterion) == 500 and t.rubric[0].criterion.endswith("…")
    assert t.repairs == ["criterion 1 text clipped from 100,000 to 500 characters"]


def test_repairs_written_by_the_model_are_discarded():
    t = task(3, 2).model_copy(update={"repairs": ["nothing to see"]})
    repair_task(t, Rubric())
    assert t.repairs == []


@pytest.mark.parametrize(
    ("weights", "rules", "message"),
    [
        ((3,), Rubric(), "needs 2 to 10"),
        ((3, 9), Rubric(), "weights are 1 to 7"),
        ((3, 0), Rubric(), "weight 0"),
        ((3, -2), Rubric(), "negative weights are not allowed"),
        ((-3, -2), Rubric(allow_negative=True), "positive weight"),
    ],
)
def test_rule_violations(weights, rules, message):
    with pytest.raises(ValueError, match=message):
        check_task(task(*weights), rules)


def test_negative_weights_when_allowed():
    check_task(task(5, -2), Rubric(allow_negative=True))


def g(criterion, met):
    return CriterionGrade(criterion=criterion, met=met)


def test_grades_in_rubric_order():
    met, flags = normalize_grades([g(2, 0), g(1, 1)], 2, partial_credit=False)
    assert met == [1.0, 0.0] and flags == []


def test_skipped_criteria_count_as_not_met_and_are_flagged():
    met, flags = normalize_grades([g(1, 1)], 3, partial_credit=False)
    assert met == [1.0, 0.0, 0.0]
    assert flags == [
        "criterion 2 not graded; counted as not met",
        "criterion 3 not graded; counted as not met",
    ]


def test_out_of_range_clipped_and_flagged():
    met, flags = normalize_grades([g(1, 7), g(2, -1)], 2, partial_credit=True)
    assert met == [1.0, 0.0]
    assert len(flags) == 2 and "clipped" in flags[0]


def test_fractional_without_partial_credit_is_rounded():
    met, flags = normalize_grades([g(1, 0.6), g(2, 0.4)], 2, partial_credit=False)
    assert met == [1.0, 0.0] and all("rounded" in f for f in flags)


def test_partial_credit_kept():
    met, _ = normalize_grades([g(1, 0.5)], 1, partial_credit=True)
    assert met == [0.5]


def test_unknown_and_duplicate_grades_flagged():
    met, flags = normalize_grades([g(1, 1), g(1, 0), g(9, 1)], 1, partial_credit=False)
    assert met == [1.0]
    assert any("twice" in f for f in flags) and any("unknown criterion 9" in f for f in flags)
