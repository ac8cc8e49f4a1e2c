"""Infrastructure failures while solving or judging re-run the evaluation on the same task
(`retry.evaluations`) before the round ends as `error`; error rounds do not count against
`max_rounds` but are bounded apart; a resume counts the same way (scripted backend)."""

from __future__ import annotations

import json

from tests.support import run_async
from tests.support.fakes import FakeBackend
from workbench.config import ROLES
from workbench.engines import arun
from workbench.inputs import Document
from workbench.model import Reply
from workbench.records import count_rounds

TASK = json.dumps(
    {
        "context": "ctx",
        "question": "q?",
        "reference_answer": "ref",
        "question_type": "t",
        "rubric": [{"criterion": "A", "weight": 3}, {"criterion": "B", "weight": 1}],
    }
)
PASS = '{"passed": true, "reason": "fine"}'
MODELS = {r: {"model": f"openai/{r}", "api_base": "http://127.0.0.1:9"} for r in ROLES}


def grades(*met):
    return json.dumps({"grades": [{"criterion": i, "met": m} for i, m in enumerate(met, 1)]})


WRONG, RIGHT = grades(False, False), grades(True, True)


class Unavailable(Exception):
    status_code = 503


def config(**kw):
    # One attempt per call: a 503 is at once a failed call (the client's own retries are spent).
    return {
        "models": MODELS,
        "cache": {"enabled": False},
        "max_rounds": 1,
        "retry": {"max_attempts": 1, "base_s": 0.01},
        **kw,
    }


def scripted(**per_role):
    fake = FakeBackend()
    for role, replies in per_role.items():
        fake.enqueue(*replies, model=f"openai/{role}")
    return fake


def one_doc():
    return [Document("d", "Some document text.", "mem")]


def run(fake, tmp_path, **kw):
    return run_async(arun(one_doc(), config(**kw), out=tmp_path / "r", backend=fake))


def requests(fake, role):
    return [h for h in fake.history if h["model"] == f"openai/{role}"]


def test_a_solver_failure_re_runs_the_evaluation_on_the_same_task(tmp_path):
    fake = scripted(
        challenger=[TASK],
        verifier=[PASS],
        weak=[Unavailable("overloaded"), "a", "a", "a"],
        strong=["s"] * 3,
        judge=[WRONG] * 3 + [RIGHT] * 3,
    )
    r = run(fake, tmp_path)
    (round_,) = r.records("rounds")
    assert round_["decision"] == "accepted" and round_["evaluation_retries"] == 1
    assert [a["evaluation"] for a in round_["weak_rollouts"]] == [1, 0, 0]
    assert [a["rollout"] for a in round_["weak_rollouts"]] == [0, 1, 2]
    # The challenger wrote one task; the re-run asked the same question of the same solver...
    assert len(requests(fake, "challenger")) == 1
    weak = requests(fake, "weak")
    assert weak[0]["messages"] == weak[1]["messages"]
    # ...with its own seed (a cached or deterministic failure is not simply repeated).
    assert weak[0]["seed"] != weak[1]["seed"]
    calls = [c for c in r.records("calls") if c["role"] == "weak" and c["rollout"] == 0]
    assert [(c["evaluation"], bool(c["error"])) for c in calls] == [(0, True), (1, False)]
    assert not any(fake.routes.values())


def test_an_empty_answer_is_an_infrastructure_failure_not_a_wrong_answer(tmp_path):
    fake = scripted(
        challenger=[TASK],
        verifier=[PASS],
        weak=["  ", "a", "a", "a"],
        strong=["s"] * 3,
        judge=[WRONG] * 3 + [RIGHT] * 3,
    )
    (round_,) = run(fake, tmp_path).records("rounds")
    assert round_["decision"] == "accepted" and round_["evaluation_retries"] == 1
    # The empty answer was never judged: six judge calls for six answers.
    assert len(requests(fake, "judge")) == 6
    assert all(a["answer"] for a in round_["weak_rollouts"])


def test_a_judge_that_fails_re_runs_its_rollout(tmp_path):
    fake = scripted(
        challenger=[TASK],
        verifier=[PASS],
        weak=["a"] * 4,
        strong=["s"] * 3,
        judge=["not json", "still not json", *[WRONG] * 3, *[RIGHT] * 3],
    )
    (round_,) = run(fake, tmp_path).records("rounds")
    assert round_["decision"] == "accepted" and round_["evaluation_retries"] == 1
    assert round_["weak_rollouts"][0]["evaluation"] == 1
    assert len(requests(fake, "challenger")) == 1


def test_when_the_retries_are_spent_the_round_is_an_error(tmp_path):
    fake = scripted(
        challenger=[TASK],
        verifier=[PASS],
        weak=[Unavailable("overloaded")] * 3,
    )
    r = run(fake, tmp_path, retry={"max_attempts": 1, "base_s": 0.01, "evaluations": 2})
    (round_,) = r.records("rounds")
    assert round_["decision"] == "error" and round_["evaluation_retries"] == 2
    assert "after 2 evaluation retries" in round_["reason"]
    assert round_["weak_scores"] is None
    assert len(requests(fake, "challenger")) == 1 and len(requests(fake, "weak")) == 3


def test_no_retry_when_the_rollouts_before_the_failure_settle_the_side(tmp_path):
    fake = scripted(
        challenger=[TASK],
        verifier=[PASS],
        weak=["a", Unavailable("overloaded"), "a"],
        judge=[RIGHT],
    )
    r = run(fake, tmp_path, efficiency={"early_stop": False})
    (round_,) = r.records("rounds")
    assert round_["decision"] == "too_easy" and round_["evaluation_retries"] == 0


def test_an_error_round_does_not_count_against_max_rounds(tmp_path):
    fake = scripted(
        challenger=[TASK] * 3,
        verifier=[PASS] * 3,
        weak=[Unavailable("down"), "a", "a", "a", "a"],
        strong=["s"] * 3,
        judge=[RIGHT] + [WRONG] * 3 + [RIGHT] * 3,
    )
    r = run(fake, tmp_path, max_rounds=2, retry={"max_attempts": 1, "evaluations": 0})
    rounds = r.records("rounds")
    # Three rounds under max_rounds 2: the error round is not one of the two that count.
    assert [x["decision"] for x in rounds] == ["error", "too_easy", "accepted"]
    assert [x["round"] for x in rounds] == [1, 2, 3]
    assert r.summary["status"] == "complete" and r.summary["documents_accepted"] == 1
    assert not any(fake.routes.values())


def test_error_rounds_are_bounded_per_document_by_max_rounds(tmp_path):
    fake = scripted(challenger=["no json"] * 20)
    r = run(fake, tmp_path, max_rounds=3, circuit_breaker={"max_error_rounds": 10})
    assert [x["decision"] for x in r.records("rounds")] == ["error"] * 3
    assert r.summary["documents_done"] == 1 and r.summary["status"] == "complete"
    # Rounds that count and error rounds together: 2 counted + 2 errors + the 3rd counted.
    quality = '{"passed": false, "reason": "leaks"}'
    fake = scripted(challenger=[TASK, "x", "x", TASK, "x", "x", TASK], verifier=[quality] * 3)
    r = run(fake, tmp_path / "mixed", max_rounds=3)
    decisions = [x["decision"] for x in r.records("rounds")]
    assert decisions == ["failed_quality", "error", "failed_quality", "error", "failed_quality"]
    assert count_rounds(decisions).rounds == 3


def test_max_error_rounds_still_stops_the_run(tmp_path):
    fake = scripted(challenger=["no json"] * 20)
    r = run(fake, tmp_path, max_rounds=10, circuit_breaker={"max_error_rounds": 2})
    assert r.summary["status"] == "failing" and r.summary["rounds"] == 2


def test_a_resume_counts_error_rounds_apart(tmp_path):
    # Round 1 ends in error, then the run stops (an authentication failure) in round 2.
    denied = Exception("invalid api key")
    denied.status_code = 401
    fake = scripted(challenger=["no json", "still none", denied])
    first = run(fake, tmp_path, max_rounds=1 + 1)
    assert first.summary["status"] == "fatal_error"
    assert [x["decision"] for x in first.records("rounds")] == ["error"]
    # max_rounds 2 with one error round: two rounds that count are still to come.
    quality = '{"passed": false, "reason": "leaks"}'
    good = scripted(challenger=[TASK, TASK], verifier=[quality, quality])
    resumed = run_async(arun(one_doc(), resume=first.dir, backend=good))
    assert resumed.summary["status"] == "complete"
    decisions = [x["decision"] for x in resumed.records("rounds")]
    assert decisions == ["error", "failed_quality", "failed_quality"]
    assert not any(good.routes.values())


def test_a_reply_cut_off_empty_counts_as_empty(tmp_path):
    fake = scripted(
        challenger=[TASK],
        verifier=[PASS],
        weak=[Reply("", "length", 10, 0), "a", "a", "a"],
        strong=["s"] * 3,
        judge=[WRONG] * 3 + [RIGHT] * 3,
    )
    (round_,) = run(fake, tmp_path).records("rounds")
    assert round_["decision"] == "accepted" and round_["evaluation_retries"] == 1
