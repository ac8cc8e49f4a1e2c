"""Combining a judge panel's grades: majority (ties not met), mean, abstentions."""

import pytest

from tests.support import run_async
from workbench.config import ModelSpec
from workbench.errors import ModelOutputError, ProviderError
from workbench.roles import combine, panel_grade


def test_majority_and_ties():
    members = [[1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    assert combine(members, "majority") == [1.0, 1.0, 0.0, 0.0]
    assert combine([[1.0, 0.0], [0.0, 0.0]], "majority") == [0.0, 0.0]  # 1 of 2 is a tie


def test_majority_reads_partial_credit_from_one_half():
    assert combine([[0.5, 0.4], [0.6, 0.9], [0.0, 0.2]], "majority") == [1.0, 0.0]


def test_mean():
    assert combine([[1.0, 0.5], [0.0, 0.5], [1.0, 0.2]], "mean") == pytest.approx([2 / 3, 0.4])


def test_abstaining_members_are_left_out_not_counted_as_not_met():
    # Counted as "not met", the abstention would make the second case a tie (not met).
    assert combine([[1.0], None, [1.0]], "majority") == [1.0]
    assert combine([[1.0], None], "majority") == [1.0]
    assert combine([None, [0.4]], "mean") == [0.4]


def test_every_member_abstaining_is_an_error():
    with pytest.raises(ValueError):
        combine([None, None], "majority")
    with pytest.raises(ValueError):
        combine([[1.0]], "median")


SPECS = [ModelSpec(model="openai/a"), ModelSpec(model="anthropic/b"), ModelSpec(model="gemini/c")]


def _members(outcomes):
    async def one(spec):
        outcome = outcomes[spec.model]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return one


def test_panel_grade_abstains_on_an_unusable_reply():
    one = _members(
        {
            "openai/a": ([1.0, 0.0], []),
            "anthropic/b": ModelOutputError("not JSON", raw="<junk>"),
            "gemini/c": ([1.0, 1.0], ["criterion 2 credit 2 clipped to [0, 1]"]),
        }
    )
    met, flags, votes = run_async(panel_grade(SPECS, one, "majority"))
    assert met == [1.0, 0.0]  # criterion 2: one of two graders, a tie
    assert votes == [("openai/a", [1.0, 0.0]), ("anthropic/b", None), ("gemini/c", [1.0, 1.0])]
    assert any(f.startswith("judge anthropic/b abstained") for f in flags)
    assert "judge gemini/c: criterion 2 credit 2 clipped to [0, 1]" in flags


def test_panel_grade_every_member_abstaining_fails_like_one_judge():
    one = _members({s.model: ModelOutputError("bad", raw="x") for s in SPECS})
    with pytest.raises(ModelOutputError, match="every panel member abstained"):
        run_async(panel_grade(SPECS, one, "majority"))


def test_panel_grade_provider_failures_are_not_abstentions():
    one = _members(
        {"openai/a": ([1.0], []), "anthropic/b": ProviderError("down"), "gemini/c": ([1.0], [])}
    )
    with pytest.raises(ProviderError):
        run_async(panel_grade(SPECS, one, "majority"))


def test_a_quorum_turns_too_many_abstentions_into_an_error():
    one = _members(
        {
            "openai/a": ModelOutputError("bad", raw="x"),
            "anthropic/b": ModelOutputError("bad", raw="y"),
            "gemini/c": ([1.0], []),
        }
    )
    met, _, _ = run_async(panel_grade(SPECS, one, "majority", quorum=1))
    assert met == [1.0]  # the one grader left decides
    with pytest.raises(ModelOutputError, match=r"only 1 of 3 panel members graded"):
        run_async(panel_grade(SPECS, one, "majority", quorum=2))
