"""`workbench run --set rubric.style=paper` on the simulator, as a user runs it: the resolved
rules in config.json, rounds with the paper's counts (negative-weight criteria among them) and
skill tags, scores that subtract the mistakes made, accepted examples that carry their skills,
and the acceptance-by-skill table over the stored run."""

import json

import pytest

import workbench
from tests.support import DOCS, cli
from workbench import analysis
from workbench.roles import answer_score, raw_score


@pytest.fixture(scope="module")
def paper_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("paper") / "run"
    docs = [str(DOCS / "article-vii.txt"), str(DOCS / "article-ii.txt")]
    result = cli(
        "run",
        *docs,
        "--set",
        "rubric.style=paper",
        "--set",
        "max_rounds=10",
        "--out",
        str(out),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    return workbench.load_run(out)


def test_config_json_shows_the_resolved_paper_rules(paper_run):
    stored = json.loads((paper_run.dir / "config.json").read_text())["config"]["rubric"]
    assert stored == {
        "style": "paper",
        "min_criteria": 10,
        "max_criteria": 20,
        "max_weight": 10,
        "allow_negative": True,
        "min_positive": 4,
        "min_negative": 3,
        "max_criterion_chars": 500,
    }


def test_rounds_have_the_paper_counts_and_skills(paper_run):
    tasks = [r.task for r in paper_run.typed("rounds") if r.task is not None]
    assert tasks
    for t in tasks:
        weights = [c.weight for c in t.rubric]
        assert 10 <= len(weights) <= 20
        assert sum(w > 0 for w in weights) >= 4 and sum(w < 0 for w in weights) >= 3
        assert all(1 <= abs(w) <= 10 for w in weights)
        assert 2 <= len(t.skills) <= 3 and all(t.skills)


def test_scores_subtract_the_mistakes_made_and_clip(paper_run):
    made = 0
    for r in paper_run.typed("rounds"):
        if r.task is None:
            continue
        weights = [c.weight for c in r.task.rubric]
        for rollout in r.weak_rollouts + r.strong_rollouts:
            assert rollout.raw_score == pytest.approx(raw_score(weights, rollout.met), abs=1e-6)
            assert rollout.score == pytest.approx(answer_score(weights, rollout.met), abs=1e-6)
            made += sum(1 for w, m in zip(weights, rollout.met, strict=True) if w < 0 and m > 0)
    assert made > 0  # some answers made a listed mistake, and paid for it


def test_accepted_examples_carry_skills_and_the_summary_counts_them(paper_run):
    assert paper_run.summary["accepted"] >= 1
    by_id = {f"{r.doc_id}#r{r.round}": r for r in paper_run.typed("rounds")}
    for e in paper_run.records("accepted"):
        assert e["skills"] == by_id[e["id"]].task.skills and e["skills"]
        assert any(c["weight"] < 0 for c in e["rubric"])


def test_acceptance_by_skill_over_the_stored_run(paper_run):
    rounds = workbench.load_run(paper_run.dir).rounds
    table = analysis.acceptance_by(rounds, "skill")
    written = [r for r in paper_run.records("rounds") if r["task"]]
    for row in analysis.as_records(table):
        has = [r for r in written if row["skill"] in r["task"]["skills"]]
        assert row["rounds"] == len(has)
        assert row["accepted"] == sum(r["decision"] == "accepted" for r in has)
        assert row["acceptance_rate"] == pytest.approx(row["accepted"] / row["rounds"])
    assert table["accepted"].sum() >= paper_run.summary["accepted"]  # once per tag
    assert set(table["skill"]) == {s for r in written for s in r["task"]["skills"]}
    types = analysis.acceptance_by(rounds, "question_type")
    assert types["rounds"].sum() == len(written)
    assert types["accepted"].sum() == paper_run.summary["accepted"]
    fig = analysis.acceptance_chart(table)
    assert list(fig.data[0].x) == list(table["skill"])
