"""`workbench run --set acceptance.preset=legal` on the simulator, as a user runs it: the loop
judge decides accepted / improve, its verdict is stored on the round, its calls are recorded,
the challenger hears why, and the stored verdicts re-decide the run without a model."""

import json

import workbench
from tests.support import DOCS, cli
from workbench.analysis import redecide
from workbench.config import thresholds
from workbench.model import Reply, litellm_backend
from workbench.providers.sim._text import outside
from workbench.records import load_run


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_legal_run_on_the_simulator(tmp_path):
    out = tmp_path / "run"
    result = cli(
        "run",
        str(DOCS / "article-ii.txt"),
        str(DOCS / "article-iii.txt"),
        "--out",
        str(out),
        "--seed",
        "3",
        "--set",
        "acceptance.preset=legal",
        "--set",
        "loop_judge.max_question_chars=250",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads((out / "config.json").read_text())["config"]
    assert (config["weak_rollouts"], config["strong_rollouts"], config["max_rounds"]) == (5, 3, 15)
    rounds = _lines(out / "rounds.jsonl")
    decisions = [r["decision"] for r in rounds]
    assert {"accepted", "improve"} <= set(decisions)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["decisions"]["improve"] == decisions.count("improve") > 0
    assert summary["decisions"]["accepted"] == decisions.count("accepted") >= 1

    judged = [r for r in rounds if r["loop_judge"] is not None]
    assert judged == [r for r in rounds if r["decision"] in ("accepted", "improve")]
    for r in judged:
        lj = r["loop_judge"]
        assert set(lj) == {"verdict", "suitability", "case_recap", "reason", "forced"}
        assert lj["verdict"] in ("accept", "improve") and 1 <= lj["suitability"] <= 5
        said_improve = lj["verdict"] == "improve" or lj["forced"]
        assert r["decision"] == ("improve" if said_improve else "accepted")
        too_long = len(r["task"]["question"]) > 250
        assert any(f.startswith("question is") for f in lj["forced"]) == too_long
    forced = [r for r in judged if r["loop_judge"]["forced"]]
    assert forced and all(r["decision"] == "improve" for r in forced)
    assert all(r["reason"].startswith("forced: ") for r in forced)
    assert any(r["loop_judge"]["verdict"] == "accept" for r in forced)  # forced over an accept

    calls = _lines(out / "calls.jsonl")
    judge_calls = [c for c in calls if c["role"] == "loop_judge"]
    assert len({(c["doc_id"], c["round"]) for c in judge_calls}) == len(judged)
    assert {c["model"] for c in judge_calls} == {"sim/judge"}  # follows the judge's model

    improve = next(r for r in rounds if r["decision"] == "improve")
    assert improve["feedback"].startswith("IMPROVE — loop judge: ")

    # re-deciding the stored rounds with the run's thresholds needs no model and changes nothing
    run = load_run(out)
    again = redecide(run.rounds, thresholds("legal"))
    assert list(again["decision"]) == list(again["stored_decision"])
    assert cli("report", str(out)).returncode == 0

    # a stored verdict that does not give its round's decision is refused
    tampered = []
    for r in rounds:
        if r["decision"] == "accepted":
            r["loop_judge"]["verdict"] = "improve"
        tampered.append(json.dumps(r))
    (out / "rounds.jsonl").write_text("\n".join(tampered) + "\n")
    refused = cli("report", str(out))
    assert refused.returncode != 0
    assert "gives 'improve'" in refused.stderr


def test_the_challenger_hears_the_loop_judges_reason(tmp_path):
    sent: list[str] = []

    reason = "ask about the Vice President's casting vote instead"

    async def backend(**request):
        text = request["messages"][-1]["content"]
        if request["model"] == "sim/challenger":
            sent.append(text)
        if request["model"] == "sim/judge" and '"suitability"' in outside(text):
            # The loop judge sends every question back, with its reason.
            verdict = {"verdict": "improve", "suitability": 2, "case_recap": False}
            return Reply(json.dumps(verdict | {"reason": reason}), "stop", 50, 50)
        return await litellm_backend(**request)

    config = {
        "seed": 3,
        "max_rounds": 4,
        "rollouts": 5,
        "acceptance": {"preset": "legal"},
        "cache": {"enabled": False},
    }
    run = workbench.run([DOCS / "article-ii.txt"], config, out=tmp_path / "run", backend=backend)
    rounds = _lines(run.dir / "rounds.jsonl")
    first = next(i for i, r in enumerate(rounds) if r["decision"] == "improve")
    assert first < len(rounds) - 1, [r["decision"] for r in rounds]
    assert rounds[first]["loop_judge"]["reason"] == reason
    assert all("sent back to IMPROVE" not in prompt for prompt in sent[: first + 1])
    assert all("sent back to IMPROVE" in p and reason in p for p in sent[first + 1 :])
