"""The loop judge's rules on stored data: forced improve (length, case recap), the verdict ->
decision function, and the stored-round re-check that reproduces it without a model."""

import pytest

from workbench.config import LoopJudge, thresholds
from workbench.loop import case_recap_phrase, decide, decision_problem, forced_reasons, judged
from workbench.loop._acceptance import Verdict
from workbench.loop._loop_judge import stored_verdict
from workbench.records import LoopJudgeVerdict, RoundRecord

RULES = LoopJudge(max_question_chars=40)
ACCEPTED = Verdict("accepted", "all conditions met", 0.2, 0.9, 0.7, None)


def lj(verdict="accept", suitability=4, case_recap=False, reason="clear gap", forced=()):
    return LoopJudgeVerdict(
        verdict=verdict,
        suitability=suitability,
        case_recap=case_recap,
        reason=reason,
        forced=list(forced),
    )


# --- forced-improve rules ---------------------------------------------------------------


def test_a_question_of_exactly_the_limit_is_not_forced_one_more_character_is():
    assert forced_reasons("q" * 40, False, RULES) == []
    assert forced_reasons("q" * 41, False, RULES) == [
        "question is 41 characters > loop_judge.max_question_chars 40"
    ]


def test_no_length_limit_when_switched_off():
    assert forced_reasons("q" * 100_000, False, LoopJudge(max_question_chars=None)) == []


def test_the_loop_judges_case_recap_flag_forces_improve():
    assert forced_reasons("Is the notice timely?", True, RULES) == [
        "case recap (the loop judge's case_recap flag)"
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Summarise the court's decision in Smith v. Jones.",
        "Describe the facts of the dispute.",
        "What happened in this case?",
        "Recap the procedural history of the appeal.",
        "Give an overview of the holding.",
    ],
)
def test_case_recap_questions_are_caught_by_the_pattern(question):
    rules = LoopJudge(max_question_chars=None)
    assert case_recap_phrase(question)
    assert forced_reasons(question, False, rules)[0].startswith("case recap (the question asks")
    # the check can be switched off; the flag still forces
    off = LoopJudge(max_question_chars=None, case_recap_check=False)
    assert forced_reasons(question, False, off) == []


@pytest.mark.parametrize(
    "question",
    [
        "Under the rule stated, would the tenant's notice be timely? Explain.",
        "Describe the standard of review the court applied and whether it was met.",
        'Fill in the numbered blanks: "The ____ (1) shall ____ (2)."',
    ],
)
def test_reasoning_questions_are_not_case_recaps(question):
    assert case_recap_phrase(question) is None


def test_every_reason_is_listed():
    question = "Summarise the facts of the case. " + "x" * 40
    reasons = forced_reasons(question, True, RULES)
    assert len(reasons) == 3
    assert reasons[0].startswith("question is 73 characters")


# --- verdict -> decision ----------------------------------------------------------------


def test_accept_keeps_accepted_with_the_loop_judges_reason():
    v = judged(ACCEPTED, lj())
    assert v.decision == "accepted"
    assert v.reason == "loop judge: accept, suitability 4 (clear gap)"
    assert (v.weak_mean, v.strong_mean, v.gap) == (0.2, 0.9, 0.7)


def test_improve_carries_the_loop_judges_reason():
    v = judged(ACCEPTED, lj("improve", 2, reason="both sides near 1"))
    assert (v.decision, v.reason) == ("improve", "both sides near 1")
    assert judged(ACCEPTED, lj("improve", 2, reason="")).reason == "the loop judge said improve"


def test_a_forced_round_is_improve_whatever_the_verdict_and_says_why():
    v = judged(ACCEPTED, lj("accept", 5, forced=["question is 41 characters > 40"]))
    assert v.decision == "improve"
    assert v.reason == "forced: question is 41 characters > 40 (loop judge: accept, clear gap)"


def test_a_round_the_thresholds_reject_is_left_alone():
    too_easy = Verdict("too_easy", "weak_mean 0.90 > 0.65", 0.9, None, None, None)
    assert judged(too_easy, lj()) is too_easy


def test_stored_data_as_plain_dicts_decide_the_same():
    stored = lj("accept", 4, forced=["case recap (the loop judge's case_recap flag)"])
    assert judged(ACCEPTED, stored.model_dump()) == judged(ACCEPTED, stored)


def test_stored_verdict_applies_the_rules_to_the_reply():
    stored = stored_verdict(
        {"verdict": "accept", "suitability": 5, "case_recap": False, "reason": "ok"},
        "q" * 41,
        RULES,
    )
    assert stored.forced == ["question is 41 characters > loop_judge.max_question_chars 40"]
    assert judged(ACCEPTED, stored).decision == "improve"


# --- re-deciding stored rounds ----------------------------------------------------------


def _round(decision, loop_judge, question="Is the notice timely?", weak=(0.2,) * 3):
    strong = [0.9, 0.9, 0.9]
    return RoundRecord(
        doc_id="d",
        round=1,
        mode="agentic",
        task={
            "context": "c",
            "question": question,
            "reference_answer": "r",
            "question_type": "t",
            "rubric": [{"criterion": "x", "weight": 1}],
        },
        quality=None,
        weak_scores=list(weak),
        strong_scores=strong,
        weak_mean=sum(weak) / 3,
        strong_mean=0.9,
        gap=0.9 - sum(weak) / 3,
        p_value=None,
        decision=decision,
        reason="",
        feedback="",
        loop_judge=loop_judge,
        ts=0.0,
    )


LEGAL = thresholds("legal")


def test_a_stored_round_is_redecided_from_its_stored_verdict():
    assert decision_problem(_round("accepted", lj()), LEGAL, 3, RULES) is None
    assert decision_problem(_round("improve", lj("improve", 2)), LEGAL, 3, RULES) is None
    wrong = decision_problem(_round("accepted", lj("improve", 2)), LEGAL, 3, RULES)
    assert wrong == (
        "decision 'accepted', but the acceptance rule over its stored scores gives 'improve'"
    )


def test_forced_reasons_must_be_the_rules_over_the_stored_question():
    long_q = "q" * 41
    forced = forced_reasons(long_q, False, RULES)
    ok = _round("improve", lj(forced=forced), question=long_q)
    assert decision_problem(ok, LEGAL, 3, RULES) is None
    hidden = _round("accepted", lj(), question=long_q)  # the rule was not applied
    assert "forced reasons" in decision_problem(hidden, LEGAL, 3, RULES)


def test_the_loop_judge_verdict_must_be_there_exactly_when_the_loop_judge_ran():
    assert "no loop judge verdict" in decision_problem(_round("accepted", None), LEGAL, 3, RULES)
    assert "without the loop judge" in decision_problem(_round("accepted", lj()), LEGAL, 3)
    strict = thresholds("autodata")
    easy = _round("too_easy", lj(), weak=(0.9, 0.9, 0.9))
    assert "thresholds decide 'too_easy'" in decision_problem(easy, strict, 3, RULES)
    # old runs: no loop judge, no verdict
    assert decision_problem(_round("accepted", None), LEGAL, 3) is None


def test_legal_thresholds_are_all_off():
    # every scored round that passed the verifier reaches the loop judge
    assert decide([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], LEGAL).decision == "accepted"
    assert decide([0.0] * 5, [0.0] * 3, LEGAL, rollouts=5).decision == "accepted"
