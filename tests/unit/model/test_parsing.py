import pytest

from workbench.model import ParseError, extract_json, parse_model
from workbench.roles import JudgeOutput, Task

TASK = '{"context": "c", "question": "q?", "reference_answer": "a", "rubric": [{"criterion": "x", "weight": 3}]}'


def test_plain_json():
    assert parse_model(TASK, Task).question == "q?"


def test_fenced_json_with_prose():
    text = f"Sure! Here it is:\n```json\n{TASK}\n```\nLet me know."
    assert parse_model(text, Task).rubric[0].weight == 3


def test_prose_around_unfenced_json():
    assert extract_json(f"The task is {TASK} as requested.")["context"] == "c"


def test_trailing_commas_and_python_literals():
    text = '{"grades": [{"criterion": 1, "met": True, "reason": "ok",},],}'
    assert parse_model(text, JudgeOutput).grades[0].met == 1.0


def test_raw_newlines_inside_strings():
    text = '{"context": "line one\nline two", "question": "q", "reference_answer": "a", "rubric": [{"criterion": "x", "weight": 1}]}'
    assert parse_model(text, Task).context == "line one\nline two"


def test_braces_inside_strings_do_not_confuse_the_scanner():
    text = 'noise {not json} then {"context": "a } b {", "question": "q", "reference_answer": "a", "rubric": [{"criterion": "x", "weight": 1}]}'
    assert parse_model(text, Task).context == "a } b {"


def test_truncated_output_says_so():
    with pytest.raises(ParseError, match="not closed"):
        extract_json('{"grades": [{"criterion": 1, "met": tr')


def test_empty_and_missing_json():
    with pytest.raises(ParseError, match="empty"):
        extract_json("  ")
    with pytest.raises(ParseError, match="no JSON object"):
        extract_json("I would ask about the Senate.")


def test_validation_error_is_one_line_with_location():
    with pytest.raises(ParseError) as info:
        parse_model('{"question": "q", "reference_answer": "a", "rubric": []}', Task)
    assert "rubric" in str(info.value) and "\n" not in str(info.value)


def test_met_accepts_words_and_numbers():
    out = parse_model(
        '{"grades": [{"criterion": 1, "met": "yes"}, {"criterion": 2, "met": 0.5}]}', JudgeOutput
    )
    assert [g.met for g in out.grades] == [1.0, 0.5]


def test_output_is_never_executed():
    text = '{"context": "__import__(\'os\').system(\'false\')", "question": "q", "reference_answer": "a", "rubric": [{"criterion": "x", "weight": 1}]}'
    assert parse_model(text, Task).context.startswith("__import__")


def test_cut_off_reply_is_closed_when_the_rest_is_complete():
    text = '{"leakage": false, "criteria_checkable": true, "question_ok": true, "solver_instructions": false, "passed": true, "reason": "The question is clear and the cri'
    from workbench.roles import QualityCheck

    verdict = parse_model(text, QualityCheck)
    assert verdict.passed is True and verdict.reason.startswith("The question is clear")


def test_cut_off_reply_missing_required_fields_still_fails():
    with pytest.raises(ParseError, match="passed"):
        from workbench.roles import QualityCheck

        parse_model('{"leakage": false, "crit', QualityCheck)


@pytest.mark.parametrize("depth", [3000, 200_000])
def test_deeply_nested_json_is_a_parse_error_not_a_crash(depth):
    text = '{"grades": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(ParseError):
        parse_model(text, JudgeOutput)
    with pytest.raises(ParseError):
        parse_model('{"a": ' + "[" * depth, JudgeOutput)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_grades_are_rejected(value):
    text = '{"grades": [{"criterion": 1, "met": ' + value + ', "reason": "r"}]}'
    with pytest.raises(ParseError, match="finite"):
        parse_model(text, JudgeOutput)
