"""The loop's judge with a panel, through the real ModelClient on a scripted backend: every
member is asked, each call is recorded under its model, a junk reply abstains."""

import json

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import load_config
from workbench.model import ModelClient
from workbench.roles import Env, Task, judge, load_prompts

TASK = Task(
    context="The sky is blue.",
    question="What colour is the sky?",
    reference_answer="Blue.",
    question_type="fact",
    rubric=[{"criterion": "Says blue", "weight": 2}, {"criterion": "Is one word", "weight": 1}],
)


def grades(*met):
    return json.dumps(
        {"grades": [{"criterion": i, "met": m, "reason": "r"} for i, m in enumerate(met, 1)]}
    )


def _env(backend, calls, judges):
    config = load_config(None, [f"models.judge={json.dumps(judges)}"])
    client = ModelClient(backend=backend, on_call=calls.append)
    return Env(config, load_prompts(), client)


def test_every_member_grades_and_a_junk_reply_abstains():
    fake = FakeBackend()
    fake.enqueue(grades(True, False), model="openai/gpt-4o-mini")
    fake.enqueue(grades(True, True), model="anthropic/claude-3-5-haiku")
    fake.enqueue("no JSON here", "still none", model="gemini/gemini-2.0-flash")
    calls: list[dict] = []
    models = ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku", "gemini/gemini-2.0-flash"]
    env = _env(fake, calls, [{"model": m, "structured_output": "json_object"} for m in models])
    met, flags, votes = run_async(judge(env, "weak", "d", 1, TASK, "Blue.", 0))
    assert met == [1.0, 0.0]  # criterion 2: met by one of the two graders, a tie
    assert votes == [(models[0], [1.0, 0.0]), (models[1], [1.0, 1.0]), (models[2], None)]
    assert any("gemini/gemini-2.0-flash abstained" in f for f in flags)
    assert {c["model"] for c in calls if c["role"] == "judge"} == set(models)


def test_a_single_judge_has_no_panel():
    fake = FakeBackend(grades(True, False))
    env = _env(fake, [], {"model": "openai/gpt-4o-mini", "structured_output": "json_object"})
    met, flags, votes = run_async(judge(env, "weak", "d", 1, TASK, "Blue.", 0))
    assert (met, votes) == ([1.0, 0.0], [])
