"""The `paper` rubric style through the real ModelClient on a scripted backend: the challenger is
asked for the paper's counts and signed weights and for skill tags, its check enforces the counts
(sent back once), and the quality verifier counts deterministically (no call when the counts are
wrong) and asks the model to judge them too. Skill tags from hostile replies are repaired."""

import json

import pytest

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import Rubric, load_config
from workbench.model import ModelClient
from workbench.roles import Env, Task, challenge, check_task, load_prompts, repair_task, verify
from workbench.roles._challenger import MAX_SKILL_CHARS, MAX_SKILLS

PAPER = Rubric(style="paper")
VERDICT = {
    "leakage": False,
    "criteria_checkable": True,
    "question_ok": True,
    "solver_instructions": False,
    "rubric_counts_ok": True,
    "passed": True,
    "reason": "fine",
}


def criteria(positive: int, negative: int) -> list[dict]:
    return [{"criterion": f"States fact {i}.", "weight": 3} for i in range(positive)] + [
        {"criterion": f"Claims wrong fact {i}.", "weight": -2} for i in range(negative)
    ]


def task(positive: int, negative: int, **extra) -> Task:
    return Task(
        context="Some context.",
        question="A question about the context?",
        reference_answer="The answer.",
        rubric=criteria(positive, negative),
        **extra,
    )


def env(backend, *sets: str) -> Env:
    config = load_config(None, [*sets, "models.verifier.structured_output=json_schema"])
    return Env(config, load_prompts(), ModelClient(backend=backend))


COUNTS = [
    # (positive, negative, ok): the verifier's rule, >= 4 positive, >= 3 negative, 10-20 in all
    (7, 3, True),
    (8, 2, False),  # 2 negatives
    (4, 6, True),  # 4 positives
    (3, 7, False),  # 3 positives
    (17, 3, True),  # 20 in all
    (6, 3, False),  # 9 in all
    (18, 3, False),  # 21 in all
]


@pytest.mark.parametrize(("positive", "negative", "ok"), COUNTS)
def test_the_verifier_counts_under_paper(positive, negative, ok):
    fake = FakeBackend(json.dumps(VERDICT))
    verdict = run_async(verify(env(fake, "rubric.style=paper"), "d", 1, task(positive, negative)))
    assert verdict.all_clear() is ok and verdict.rubric_counts_ok is ok
    if ok:  # the model judged it too, told what is required, with the field in its schema
        (request,) = fake.history
        prompt = request["messages"][-1]["content"]
        assert (
            '"rubric_counts_ok": true if the rubric has 10 to 20 criteria in all, at least 4 '
            "with a positive weight" in prompt
        )
        assert "at least 3 with a negative weight" in prompt
        schema = request["response_format"]["json_schema"]["schema"]
        assert "rubric_counts_ok" in schema["required"]
    else:  # counted by the workbench: no model is paid to say so
        assert fake.history == []
        assert verdict.reason.startswith("the rubric has ")


def test_the_models_judgement_of_the_counts_counts_too():
    fake = FakeBackend(json.dumps(VERDICT | {"rubric_counts_ok": False, "passed": True}))
    verdict = run_async(verify(env(fake, "rubric.style=paper"), "d", 1, task(7, 3)))
    assert not verdict.all_clear()


def test_evolved_verifier_prompt_and_schema_are_todays():
    fake = FakeBackend(json.dumps({k: v for k, v in VERDICT.items() if k != "rubric_counts_ok"}))
    verdict = run_async(verify(env(fake), "d", 1, task(3, 0)))
    assert verdict.all_clear() and verdict.rubric_counts_ok
    (request,) = fake.history
    assert "rubric_counts_ok" not in request["messages"][-1]["content"]
    assert "rubric_counts_ok" not in request["response_format"]["json_schema"]["schema"]["required"]


@pytest.mark.parametrize(
    ("positive", "negative", "message"),
    [
        (
            8,
            2,
            "has 2 criteria with a negative weight .* needs at least 3 \\(rubric.style 'paper'\\)",
        ),
        (3, 7, "has 3 criteria with a positive weight; it needs at least 4"),
        (6, 3, "has 9 criteria; it needs 10 to 20"),
    ],
)
def test_check_task_enforces_the_paper_counts(positive, negative, message):
    with pytest.raises(ValueError, match=message):
        check_task(task(positive, negative), PAPER)
    check_task(task(7, 3), PAPER)


def test_a_paper_rubric_short_of_negatives_goes_back_to_the_challenger_once():
    good = {**task(7, 3).model_dump(exclude={"repairs"}), "skills": ["deduction", "recall"]}
    short = {**good, "rubric": criteria(9, 1)}
    fake = FakeBackend(json.dumps(short), json.dumps(good))
    got = run_async(challenge(env(fake, "rubric.style=paper"), "d", "A document.", 1, None))
    assert sum(c.weight < 0 for c in got.rubric) == 3 and got.skills == ["deduction", "recall"]
    first, again = fake.history
    asked = first["messages"][-1]["content"]
    assert "10 to 15 criteria" in asked and "7 to 10 positive criteria" in asked
    assert "3 to 5 negative criteria" in asked and "from -10 (serious) to -1 (minor)" in asked
    assert '"skills": 2 to 3 short tags' in asked
    assert "it needs at least 3" in again["messages"][-1]["content"]  # the reason, sent back
    schema = first["response_format"]["json_schema"]["schema"]
    rubric = schema["properties"]["rubric"]
    assert (rubric["minItems"], rubric["maxItems"]) == (10, 20)
    assert rubric["items"]["properties"]["weight"] | {} == {
        "type": "integer",
        "minimum": -10,
        "maximum": 10,
    }
    assert schema["properties"]["skills"] == {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 2,
        "maxItems": 3,
    }


def test_the_evolved_prompt_asks_for_skills_and_positive_weights_only():
    good = {**task(3, 0).model_dump(exclude={"repairs"}), "skills": ["recall", "inference"]}
    fake = FakeBackend(json.dumps(good))
    run_async(challenge(env(fake), "d", "A document.", 1, None))
    asked = fake.history[0]["messages"][-1]["content"]
    assert '"skills": 2 to 3 short tags' in asked and "2 to 10 criteria" in asked
    assert "negative" not in asked


HOSTILE = [
    ("a string of tags", "deduction; recall, ", ["deduction", "recall"], "skills was a string"),
    ("an object", {"skill": "deduction"}, [], "skills was not a list (dict), dropped"),
    ("a number", 7, [], "skills was not a list (int), dropped"),
    (
        "ten tags",
        [f"skill {i}" for i in range(10)],
        ["skill 0", "skill 1", "skill 2"],
        "skills cut from 10 to 3 tags",
    ),
    (
        "a 5000-character tag",
        ["x" * 5000, "recall"],
        ["x" * (MAX_SKILL_CHARS - 1) + "…", "recall"],
        "skill 1 clipped from 5,000 to 60 characters",
    ),
    ("non-text items", [None, 3, {"a": 1}, "recall"], ["recall"], "3 empty or non-text tag(s)"),
    ("repeats", ["Recall", "recall", "deduction"], ["Recall", "deduction"], "skill 2 dropped"),
]


@pytest.mark.parametrize(("what", "skills", "kept", "repair"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_skills_from_hostile_replies_are_repaired_and_recorded(what, skills, kept, repair):
    reply = {**task(3, 0).model_dump(exclude={"repairs"}), "skills": skills}
    fake = FakeBackend(json.dumps(reply))
    got = run_async(challenge(env(fake), "d", "A document.", 1, None))
    assert len(fake.history) == 1  # repaired, not re-asked: a tag list never costs the task
    assert got.skills == kept and len(got.skills) <= MAX_SKILLS
    assert any(repair in r for r in got.repairs), got.repairs


def test_tasks_without_skills_still_load():
    old = {"question": "q", "reference_answer": "a", "rubric": [{"criterion": "c", "weight": 1}]}
    t = Task.model_validate(old)
    repair_task(t, Rubric())
    assert t.skills == [] and t.repairs == []
