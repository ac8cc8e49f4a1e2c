"""The embedded simulator: deterministic, honest about the text, and reactive to feedback."""

import json
import statistics

import pytest

from tests.support import DOCS
from workbench.providers.sim import blank_difficulty, check_model, respond, sentences
from workbench.roles import (
    Task,
    challenger_variables,
    feedback_groups,
    judge_variables,
    load_prompts,
    solver_variables,
    verifier_variables,
)

PROMPTS = load_prompts()
DOC = (DOCS / "article-i.txt").read_text()
RUBRIC = {
    "min_criteria": 2,
    "max_criteria": 10,
    "max_weight": 7,
    "allow_negative": False,
    "max_criterion_chars": 500,
}
B = "0123456789ab"  # a boundary, as the roles draw one per task


def challenger_prompt(feedback=None, doc=DOC):
    variables = challenger_variables(
        boundary=B,
        doc_id="d",
        document=doc,
        round=2,
        max_rounds=10,
        rubric=RUBRIC,
        feedback=feedback or feedback_groups([]),
    )
    return PROMPTS.render("challenger", **variables)


def ask(model, prompt, seed=0):
    return respond(model, [{"role": "user", "content": prompt}], seed)


def task_from(prompt, seed):
    reply = ask("sim/challenger", prompt, seed)
    try:
        from workbench.model import parse_model

        task = parse_model(reply.text, Task)
    except ValueError:
        return None  # the sim writes broken JSON now and then, on purpose
    if any(abs(c.weight) > RUBRIC["max_weight"] for c in task.rubric):
        return None  # and, as often, a weight the rubric rules do not allow
    return task


def tasks(prompt, n=40):
    return [t for t in (task_from(prompt, s) for s in range(n)) if t is not None]


def mean_difficulty(task: Task) -> float:
    n_ctx = len(sentences(task.context))
    terms = [c.criterion.split('"')[1] for c in task.rubric if c.weight > 0 and '"' in c.criterion]
    return statistics.mean(
        blank_difficulty(t, max(1, n_ctx), len(terms), task.context) for t in terms
    )


def test_same_request_same_reply_and_seed_matters():
    p = challenger_prompt()
    assert ask("sim/challenger", p, 1) == ask("sim/challenger", p, 1)
    assert len({ask("sim/challenger", p, s).text for s in range(5)}) > 1


def test_challenger_builds_tasks_from_the_documents_own_sentences():
    doc_sentences = set(sentences(DOC))
    for task in tasks(challenger_prompt(), 10):
        assert task.reference_answer.split("The sentence reads: ")[1] in doc_sentences
        assert task.context and all(c.weight >= 1 for c in task.rubric)


def past(decision, **kw):
    return {
        "round": kw.pop("round", 1),
        "decision": decision,
        "task": {"question": kw.pop("q", "Q?")},
        "reason": "",
        **kw,
    }


def test_challenger_gets_harder_after_too_easy_and_easier_after_failed_on_strong():
    first = statistics.mean(mean_difficulty(t) for t in tasks(challenger_prompt()))
    easy = feedback_groups(
        [past("too_easy", weak_mean=0.9), past("too_easy", round=2, weak_mean=0.8)]
    )
    harder = statistics.mean(mean_difficulty(t) for t in tasks(challenger_prompt(easy)))
    hard = feedback_groups(
        [
            *(past("too_easy", round=i, weak_mean=0.9) for i in (1, 2, 3)),
            past("failed_on_strong", round=4, weak_mean=0.1, strong_mean=0.2, gap=0.1),
        ]
    )
    eased = statistics.mean(mean_difficulty(t) for t in tasks(challenger_prompt(hard)))
    three_easy = feedback_groups([past("too_easy", round=i, weak_mean=0.9) for i in (1, 2, 3)])
    before_strong_fail = statistics.mean(
        mean_difficulty(t) for t in tasks(challenger_prompt(three_easy))
    )
    assert harder > first + 0.5
    assert eased < before_strong_fail - 0.3


def test_challenger_asks_about_a_different_sentence_after_feedback():
    task = tasks(challenger_prompt(), 1)[0]
    fb = feedback_groups([past("too_easy", q=task.question, weak_mean=0.9)])
    for t in tasks(challenger_prompt(fb), 10):
        assert t.reference_answer != task.reference_answer


def solve_score(model, task, seeds=range(60)):
    variables = solver_variables(
        boundary=B, context=task.context, question=task.question, notes=None
    )
    prompt = PROMPTS.render("weak", **variables)
    terms = [c.criterion.split('"')[1] for c in task.rubric if c.weight > 0]
    hits = []
    for s in seeds:
        answer = ask(model, prompt, s).text
        hits.append(statistics.mean(f"({i}) {t}" in answer for i, t in enumerate(terms, 1)))
    return statistics.mean(hits)


def test_stronger_solvers_fill_more_blanks():
    task = tasks(challenger_prompt(feedback_groups([past("too_easy", weak_mean=0.9)])), 3)[0]
    weak, strong = solve_score("sim/weak", task), solve_score("sim/strong", task)
    assert strong > weak + 0.2
    assert solve_score("sim/solver-6", task) > 0.9


def judge_prompt(answer, criteria):
    variables = judge_variables(
        boundary=B,
        context="c",
        question="q",
        answer=answer,
        partial_credit=False,
        rubric=[{"criterion": c, "weight": 1} for c in criteria],
    )
    return PROMPTS.render("judge", **variables)


def test_judge_checks_the_answer_text():
    criteria = ['Fills blank (1) with "Senators".', 'Fills blank (2) with "Legislature".']
    answer = "(1) Senators; (2) Congress.\nThe sentence reads: ..."
    agreements = 0
    for s in range(100):
        reply = ask("sim/judge", judge_prompt(answer, criteria), s)
        if reply.finish_reason == "length":
            continue  # a cut-off reply, on purpose
        grades = json.loads(reply.text)["grades"]
        agreements += [g["met"] for g in grades] == [True, False]
    assert agreements >= 85  # a judge that errs about 4% per criterion


def verify(task: dict, seed=0):
    prompt = PROMPTS.render("verifier", **verifier_variables(boundary=B, task=task))
    for s in range(seed, seed + 10):
        text = ask("sim/verifier", prompt, s).text
        if text.rstrip().endswith("}"):
            return json.loads(text)
    raise AssertionError("no verdict")


CLEAN = {
    "context": "The Senate of the United States shall be composed of two Senators from each State.",
    "question": 'Fill in the numbered blanks: "The Senate shall be composed of ____ (1) Senators from each ____ (2)."',
    "reference_answer": "(1) two; (2) State",
    "question_type": "close reading",
    "rubric": [
        {"criterion": 'Fills blank (1) with "two".', "weight": 5},
        {"criterion": 'Fills blank (2) with "State".', "weight": 3},
    ],
}


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"question": CLEAN["question"] + ' (Hint: blank (2) is "State".)'},
            "leakage",
            "gives away",
        ),
        (
            {
                "rubric": CLEAN["rubric"]
                + [{"criterion": "The answer is well reasoned.", "weight": 2}]
            },
            "criteria_checkable",
            "cannot be checked",
        ),
        (
            {"context": CLEAN["context"] + " Note for the solver: keep the answer short."},
            "solver_instructions",
            "tells the solver",
        ),
    ],
)
def test_verifier_catches_each_flaw(change, field, reason):
    assert verify(CLEAN)["passed"] is True
    verdict = verify({**CLEAN, **change})
    assert verdict["passed"] is False and reason in verdict["reason"]
    assert verdict[field] is (field != "criteria_checkable")


def test_sim_model_names():
    check_model("sim/weak")
    check_model("sim/solver-1.5")
    with pytest.raises(ValueError, match="unknown sim solver"):
        check_model("sim/critic")


def test_max_tokens_cuts_the_reply():
    reply = respond(
        "sim/challenger", [{"role": "user", "content": challenger_prompt()}], 0, max_tokens=20
    )
    assert reply.finish_reason == "length" and reply.completion_tokens <= 20
