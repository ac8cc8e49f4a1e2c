"""Hostile model outputs end to end: the run completes, records stay valid JSON, nothing crashes."""

import json

import pytest

import workbench
from tests.support import DOCS
from workbench.model import Reply, litellm_backend

NESTED = '{"grades": ' + "[" * 5000 + "]" * 5000 + "}"
NAN_GRADES = '{"grades": [{"criterion": 1, "met": NaN}, {"criterion": 2, "met": Infinity}]}'


def judge_replies(text: str, usage=(10, 10)):
    async def backend(**request):
        if request["model"] == "sim/judge":
            return Reply(text, "stop", *usage)
        return await litellm_backend(**request)

    return backend


@pytest.mark.parametrize("text", [NESTED, NAN_GRADES, "{{ 7 * 7 }} " + "x" * 100])
def test_hostile_judge_replies_become_error_rounds(tmp_path, text):
    config = {"max_rounds": 2, "partial_credit": True, "cache": {"enabled": False}}
    run = workbench.run(
        [DOCS / "article-vii.txt"], config, out=tmp_path / "run", backend=judge_replies(text)
    )
    assert run.summary["status"] == "complete"
    rounds = [
        json.loads(line, parse_constant=pytest.fail)
        for line in (run.dir / "rounds.jsonl").read_text().splitlines()
    ]
    assert rounds and {r["decision"] for r in rounds} <= {"error", "failed_quality"}
    assert run.summary["accepted"] == 0
    assert "NaN" not in (run.dir / "summary.json").read_text()
