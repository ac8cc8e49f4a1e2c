"""The simulated loop judge: deterministic from the seed, accepts a gap, sends back no gap,
and answers under `sim/judge` (the loop judge's default model) as under `sim/loop_judge`."""

import json

from workbench.providers.sim import check_model, respond
from workbench.records import Rollout
from workbench.roles import LoopJudgeOutput, load_prompts, loop_judge_variables

TASK = {
    "context": "A lease may be ended by written notice given thirty days ahead.",
    "question": "Is notice given on 1 May to leave on 20 May timely?",
    "reference_answer": "No.",
    "question_type": "rule application",
    "rubric": [{"criterion": 'Says "not timely".', "weight": 5}],
}


def prompt(weak, strong):
    def side(name, scores):
        return [
            Rollout(side=name, rollout=i, answer="a", met=[s], raw_score=s, score=s)
            for i, s in enumerate(scores)
        ]

    variables = loop_judge_variables(
        boundary="0123456789ab",
        task=TASK,
        weak=side("weak", weak),
        strong=side("strong", strong),
        answer_chars=400,
    )
    return load_prompts().render("loop_judge", **variables)


def verdicts(text, seeds=range(40), model="sim/judge"):
    out = []
    for seed in seeds:
        reply = respond(model, [{"role": "user", "content": text}], seed=seed)
        out.append(LoopJudgeOutput.model_validate(json.loads(reply.text)))
    return out


def test_a_gap_is_mostly_accepted_and_no_gap_mostly_sent_back():
    gap = verdicts(prompt([0.1] * 5, [0.9] * 3))
    flat = verdicts(prompt([0.9] * 5, [0.9] * 3))
    assert sum(v.verdict == "accept" for v in gap) >= 32
    assert sum(v.verdict == "improve" for v in flat) >= 32
    assert any(v.case_recap for v in gap + flat)  # now and then
    assert all(1 <= v.suitability <= 5 for v in gap + flat)


def test_the_same_request_gets_the_same_reply_and_either_name_answers():
    text = prompt([0.2] * 5, [0.8] * 3)
    assert verdicts(text, range(5)) == verdicts(text, range(5))
    assert len(verdicts(text, range(5), "sim/loop_judge")) == 5  # a loop-judge reply, parsed
    check_model("sim/loop_judge")
