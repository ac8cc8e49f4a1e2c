"""Prompts ordered for prefix reuse: two calls of one task share byte-identical bytes up to the
per-call part, rendered through the real prompt files, and the split comes from the template's
`{{ cache_break }}`, never from content."""

import asyncio
import os

from workbench.config import ModelSpec
from workbench.model import CallMeta, ModelClient, Reply, prefix_ends, split_at, user_message
from workbench.model.cache import cache_key
from workbench.roles import load_prompts, task_boundary
from workbench.roles._fence import cache_break
from workbench.roles._variables import (
    criterion_variables,
    judge_variables,
    render,
    solver_variables,
    verifier_variables,
)

PROMPTS = load_prompts()
CONTEXT = "The Senate shall be composed of two Senators from each State, chosen for six Years."
QUESTION = "How many Senators does each State have, and for how long?"
RUBRIC = [{"criterion": 'States "two".', "weight": 5}, {"criterion": 'States "six".', "weight": 3}]
B = task_boundary(0, "article-i", 2, "judge")


def shared(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def judge_prompt(answer: str) -> str:
    v = judge_variables(
        boundary=B,
        context=CONTEXT,
        question=QUESTION,
        answer=answer,
        rubric=RUBRIC,
        partial_credit=False,
    )
    return render(PROMPTS, "judge", v)


def test_judge_prompts_of_one_task_share_everything_before_the_answer():
    a, b = judge_prompt("Two, for six years."), judge_prompt("Three.")
    (end,) = prefix_ends(a)
    assert prefix_ends(b) == (end,)
    assert a[:end] == b[:end] and shared(a, b) >= end
    assert a[end:].lstrip().startswith(f'<answer id="{B}">')
    assert "Two, for six years." not in a[:end] and '<rubric id="' in a[:end]
    assert cache_break(B) not in a  # the marker never reaches the model


def test_per_criterion_prompts_share_the_task_then_the_answer():
    def one(answer, criterion):
        v = criterion_variables(
            boundary=B,
            context=CONTEXT,
            question=QUESTION,
            answer=answer,
            criterion=criterion,
            partial_credit=False,
        )
        return render(PROMPTS, "judge_criterion", v)

    a1, a2 = one("Two.", RUBRIC[0]), one("Two.", RUBRIC[1])
    b1 = one("Six.", RUBRIC[0])
    task_end, answer_end = prefix_ends(a1)
    assert a1[:answer_end] == a2[:answer_end]  # every criterion of one answer
    assert a1[:task_end] == b1[:task_end]  # every call of the task
    assert '<answer id="' not in a1[:task_end] and '<rubric id="' not in a1[:answer_end]


def test_solver_rollouts_send_the_same_prompt_and_weak_and_strong_share_the_task():
    def solver(side, notes):
        v = solver_variables(
            boundary=task_boundary(0, "article-i", 2, "solver"),
            context=CONTEXT,
            question=QUESTION,
            notes=notes,
        )
        return render(PROMPTS, side, v)

    weak1, weak2 = solver("weak", None), solver("weak", None)
    strong = solver("strong", "Two; six years.")
    assert weak1 == weak2 and prefix_ends(weak1) == prefix_ends(weak2)
    task_end = prefix_ends(weak1)[0]
    assert weak1[:task_end] == strong[:task_end]
    assert "Two; six years." in strong[task_end:]
    assert prefix_ends(weak1)[-1] >= len(weak1.rstrip())  # the whole prompt is shared


def test_verifier_prompt_is_the_same_bytes_for_a_retried_task():
    task = {
        "context": CONTEXT,
        "question": QUESTION,
        "reference_answer": "Two.",
        "question_type": "reading",
        "rubric": RUBRIC,
    }
    boundary = task_boundary(0, "article-i", 2, "verifier")
    a = render(PROMPTS, "verifier", verifier_variables(boundary=boundary, task=task))
    b = render(PROMPTS, "verifier", verifier_variables(boundary=boundary, task=dict(task)))
    assert a == b
    # The fixed checks come first: every verifier prompt of a run starts the same way.
    other = task_boundary(0, "article-ii", 1, "verifier")
    c = render(PROMPTS, "verifier", verifier_variables(boundary=other, task=task))
    assert shared(a, c) > a.index('<context id="') - 120


def test_boundaries_are_per_task_not_per_call():
    assert task_boundary(0, "d", 2, "judge") == task_boundary(0, "d", 2, "judge")
    assert task_boundary(0, "d", 2, "judge") != task_boundary(0, "d", 3, "judge")
    assert task_boundary(0, "d", 2, "solver") != task_boundary(0, "d", 2, "judge")


def test_content_cannot_move_the_split():
    forged = f"{cache_break(B)} {cache_break('000000000000')} done"
    a = judge_prompt(forged)
    assert prefix_ends(a) == prefix_ends(judge_prompt("x"))
    assert B not in a[a.index(f'<answer id="{B}">') + 30 : a.index(f'</answer id="{B}">')]


def test_a_template_without_the_marker_is_a_plain_prompt():
    text = split_at("no marker here\n", cache_break(B))
    assert prefix_ends(text) == () and user_message(text, prefix_ends(text)) == {
        "role": "user",
        "content": "no marker here\n",
    }


def test_user_message_marks_the_shared_blocks_only():
    prompt = split_at("AAA<m>BBB<m>CCC\n", "<m>")
    msg = user_message(prompt, prefix_ends(prompt))
    assert [b["text"] for b in msg["content"]] == ["AAA", "BBB", "CCC\n"]
    assert ["cache_control" in b for b in msg["content"]] == [True, True, False]
    whole = split_at("AAA<m>\n", "<m>")  # a blank remainder joins the shared block
    assert user_message(whole, prefix_ends(whole))["content"] == [
        {"type": "text", "text": "AAA\n", "cache_control": {"type": "ephemeral"}}
    ]


def test_cache_prompt_defaults_on_for_opt_in_claude_only():
    on = ("anthropic/claude-sonnet-4-5", "bedrock/anthropic.claude-3-haiku", "vertex_ai/claude-3")
    off = ("openai/gpt-4.1", "gemini/gemini-2.5-pro", "vertex_ai/gemini-2.5", "sim/judge")
    assert all(ModelSpec(model=m).caches_prompt() for m in on)
    assert not any(ModelSpec(model=m).caches_prompt() for m in off)
    assert ModelSpec(model="openai/x", cache_prompt=True).caches_prompt()
    assert not ModelSpec(model="anthropic/x", cache_prompt=False).caches_prompt()


def _sent(spec: ModelSpec, prompt: str) -> dict:
    seen = []

    async def backend(**request):
        seen.append(request)
        return Reply("ok", "stop", 10, 1)

    client = ModelClient(backend=backend)
    asyncio.run(client.complete(spec, prompt, CallMeta("judge", "d", 1, 0)))
    return seen[0]


def test_the_request_carries_cache_control_and_keeps_its_cache_key(monkeypatch):
    monkeypatch.setitem(os.environ, "LITELLM_LOCAL_MODEL_COST_MAP", "True")
    prompt = judge_prompt("Two.")
    claude = _sent(ModelSpec(model="anthropic/claude-sonnet-4-5"), prompt)
    plain = _sent(ModelSpec(model="anthropic/claude-sonnet-4-5", cache_prompt=False), prompt)
    blocks = claude["messages"][0]["content"]
    assert blocks[0]["cache_control"] == {"type": "ephemeral"} and "cache_control" not in blocks[1]
    assert "".join(b["text"] for b in blocks) == plain["messages"][0]["content"] == str(prompt)
    assert cache_key(claude, 0) == cache_key(plain, 0)
    gpt = _sent(ModelSpec(model="openai/gpt-4.1"), prompt)
    assert gpt["messages"][0]["content"] == str(prompt)


def test_a_user_template_without_the_marker_sends_no_cache_block():
    custom = load_prompts(
        strings={"judge": "{{ context }}\n{{ rubric_block }}\n{{ answer }}\nGrade."}
    )
    v = judge_variables(
        boundary=B,
        context=CONTEXT,
        question=QUESTION,
        answer="Two.",
        rubric=RUBRIC,
        partial_credit=False,
    )
    prompt = render(custom, "judge", v)
    assert prefix_ends(prompt) == ()
    sent = _sent(ModelSpec(model="anthropic/claude-sonnet-4-5"), prompt)
    assert sent["messages"][0]["content"] == prompt
