"""How rounds count against `max_rounds`: error rounds apart, bounded on their own; the same
count for the loop, a resume (`document_states`, `progress`) and the run-directory checks."""

from __future__ import annotations

from workbench.records import RoundCount, RoundRecord, count_rounds, round_limit, round_problems
from workbench.records._state import document_states


def rec(number: int, decision: str, doc_id: str = "d") -> RoundRecord:
    return RoundRecord(
        doc_id=doc_id,
        round=number,
        mode="agentic",
        task=None,
        quality=None,
        weak_scores=None,
        strong_scores=None,
        weak_mean=None,
        strong_mean=None,
        gap=None,
        p_value=None,
        decision=decision,
        reason="",
        feedback="",
        ts=0.0,
    )


def test_error_rounds_do_not_count_and_are_bounded_apart():
    count = count_rounds(["too_easy", "error", "error", "failed_quality"])
    assert (count.rounds, count.errors, count.accepted) == (2, 2, False)
    assert not count.done(3)
    count.add("not_significant")
    assert count.done(3) and count.why_done(3) == "past max_rounds 3"
    errors = count_rounds(["error"] * 3)
    assert errors.done(3) and "past 3 error rounds" in errors.why_done(3)
    assert count_rounds(["error", "accepted"]).done(10)
    assert RoundCount().done(1) is False
    assert round_limit("baseline", 10) == 1 and round_limit("agentic", 10) == 10


def test_a_document_is_done_by_the_same_count_on_resume():
    rounds = [rec(1, "error"), rec(2, "too_easy"), rec(3, "error"), rec(1, "error", "e")]
    rounds += [rec(1, "too_easy", "f"), rec(2, "too_easy", "f")]
    states = document_states(rounds, "agentic", 2)
    # d: one round that counts of two, and two error rounds: the error rounds end it.
    assert states["d"] == (True, False, False)
    assert states["e"] == (False, False, False)  # one error round: two rounds still to come
    assert states["f"] == (True, False, False)  # two rounds that count
    # A run written before: rounds 1..max_rounds with an error among them is not yet done.
    assert document_states([rec(1, "too_easy"), rec(2, "error")], "agentic", 2)["d"][0] is False


def test_the_run_directory_check_counts_the_same_way():
    ok = [rec(1, "too_easy"), rec(2, "error"), rec(3, "failed_quality")]
    numbered = list(enumerate(ok, 1))
    assert round_problems(numbered, {"d"}, "agentic", 2) == []
    late = [*numbered, (4, rec(4, "too_easy"))]
    (problem,) = round_problems(late, {"d"}, "agentic", 2)
    assert problem.line == 4 and "past max_rounds 2" in problem.what
    errors = list(enumerate([rec(1, "error"), rec(2, "too_easy"), rec(3, "error")], 1))
    assert round_problems(errors, {"d"}, "agentic", 2) == []
    (problem,) = round_problems([*errors, (4, rec(4, "too_easy"))], {"d"}, "agentic", 2)
    assert "past 2 error rounds" in problem.what
    # Never more than twice max_rounds, whatever the decisions.
    (problem,) = round_problems([(1, rec(5, "too_easy"))], {"d"}, "agentic", 2)
    assert "past max_rounds 2" in problem.what
