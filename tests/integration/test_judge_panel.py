"""A judge panel end to end through the CLI, over served simulators: two honest judges (the
`workbench serve --model sim` judge and a second honest one under its own name) and one that
marks every criterion met. The lenient member's disagreement is recorded and flagged, and the
majority holds: the panel decides exactly as the honest judge alone does."""

import json
from collections import Counter

import pytest

from tests.support import DOCS, cli
from tests.support.panel_server import HONEST, LENIENT, PanelServer

pytestmark = pytest.mark.slow

DOC_IDS = ("article-i", "article-iii")


@pytest.fixture(scope="module")
def panel_server():
    server = PanelServer()
    yield server
    server.stop()


def _toml(members: list[tuple[str, str]], extra: str = "") -> str:
    lines = ["max_rounds = 5", "rollouts = 3", extra]
    for model, base in members:
        lines += ["[[models.judge]]", f'model = "{model}"', f'api_base = "{base}"']
    return "\n".join(lines) + "\n"


def _run(tmp_path, name: str, config_text: str, suffix: str = "toml"):
    config = tmp_path / f"{name}.{suffix}"
    config.write_text(config_text)
    out = tmp_path / name
    docs = [str(DOCS / f"{d}.txt") for d in DOC_IDS]
    result = cli("run", *docs, "--config", str(config), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    rounds = [json.loads(line) for line in (out / "rounds.jsonl").read_text().splitlines()]
    calls = [json.loads(line) for line in (out / "calls.jsonl").read_text().splitlines()]
    return rounds, calls, result


def _decisions(rounds):
    """Each round's decision and scores, by document and round (rounds are appended as they
    finish, so two runs of the same documents may list them in another order)."""
    return sorted(
        (r["doc_id"], r["round"], r["decision"], r["weak_scores"], r["strong_scores"])
        for r in rounds
    )


def test_three_judge_panel_majority_holds_and_low_agreement_is_flagged(
    tmp_path, sim_server, panel_server
):
    honest = [("openai/judge", sim_server.api_base)]
    single, _, _ = _run(tmp_path, "single", _toml(honest))
    members = honest + [
        (f"openai/{HONEST}", panel_server.api_base),
        (f"openai/{LENIENT}", panel_server.api_base),
    ]
    # quorum 2: when the honest two both reply junk, the lenient one alone does not decide.
    rounds, calls, result = _run(tmp_path, "panel", _toml(members, "[judge_panel]\nquorum = 2"))
    for model, _ in members:  # `workbench run` hints at auditing each member
        assert f"hint: the judge {model} has no audit on record" in result.stderr
        assert f"--judge {model}" in result.stderr
    refused = cli("audit-judge", "--config", str(tmp_path / "panel.toml"))
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines() == [
        "workbench: error: models.judge is a panel (openai/judge, openai/judge-b, openai/lenient): "
        "audit one member at a time with --judge MODEL"
    ]

    # The majority holds: the lenient member changes no verdict and no score.
    assert _decisions(rounds) == _decisions(single)
    assert all(not r["agreement"] and not r["low_agreement"] for r in single)

    # The dataset card names every member.
    out = tmp_path / "sft.jsonl"
    exported = cli("export", str(tmp_path / "panel"), "--format", "sft", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    card = out.with_name(out.name + ".card.md").read_text()
    assert all(f"| judge[{i}] | `{m}` |" in card for i, (m, _) in enumerate(members))

    # Every member graded every answer, each call recorded under the member's model.
    firsts = Counter(c["model"] for c in calls if c["role"] == "judge" and c["reask"] == 0)
    assert set(firsts) == {m for m, _ in members} and len(set(firsts.values())) == 1, firsts
    rollouts = [a for r in rounds for a in r["weak_rollouts"] + r["strong_rollouts"]]
    assert rollouts and all(
        [m["judge"] for m in a["panel"]] == [m for m, _ in members] for a in rollouts
    )
    assert all(all(v == 1.0 for v in a["panel"][2]["met"]) for a in rollouts)

    # Criteria of weak answers the lenient member passed and the honest two did not: not met.
    overruled = [
        (a, i)
        for a in rollouts
        for i, (x, y) in enumerate(zip(a["panel"][0]["met"], a["panel"][1]["met"], strict=True))
        if a["side"] == "weak" and x == y == 0.0
    ]
    assert overruled, "no weak answer was overruled: the test proves nothing"
    assert all(a["met"][i] == 0.0 for a, i in overruled)

    # Disagreement is measured and flagged per criterion.
    graded = [r for r in rounds if r["weak_rollouts"] or r["strong_rollouts"]]
    assert graded and all(len(r["agreement"]) == len(r["task"]["rubric"]) for r in graded)
    flagged = [r for r in graded if r["low_agreement"]]
    assert flagged
    for r in flagged:
        for a in r["agreement"]:
            assert a["low"] == (a["criterion"] in r["low_agreement"])
            if a["low"]:
                assert a["agreement"] < 0.8 or (a["kappa"] is not None and a["kappa"] < 0.4)


def test_two_judge_panel_tie_is_not_met(tmp_path, sim_server, panel_server):
    """An honest and a lenient judge: every disagreement is a tie, and a tie is not met."""
    config = json.dumps(
        {
            "max_rounds": 5,
            "rollouts": 3,
            "judge_panel": {"combine": "majority", "min_agreement": 0.9},
            "models": {
                "judge": [
                    {"model": "openai/judge", "api_base": sim_server.api_base},
                    {"model": f"openai/{LENIENT}", "api_base": panel_server.api_base},
                ]
            },
        }
    )
    single, _, _ = _run(tmp_path, "single2", _toml([("openai/judge", sim_server.api_base)]))
    rounds, _, _ = _run(tmp_path, "pair", config, "json")
    assert _decisions(rounds) == _decisions(single)
    ties = [
        a
        for r in rounds
        for a in r["weak_rollouts"]
        if a["panel"] and a["panel"][0]["met"] != a["panel"][1]["met"]
    ]
    assert ties
    for a in ties:
        honest, lenient = a["panel"][0]["met"], a["panel"][1]["met"]
        assert a["met"] == [min(h, x) for h, x in zip(honest, lenient, strict=True)]
    assert any(r["low_agreement"] for r in rounds)
