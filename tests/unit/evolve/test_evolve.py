"""Prompt meta-optimization on the simulator."""

import random
from collections import Counter

import pytest

from tests.support import cli, run_async
from workbench.evolve import Variant, choose_parent, evolve, load_population, split
from workbench.inputs import load_documents


def test_parent_choice_follows_exp_pass_rate_over_t():
    population = [
        Variant("a", None, 0, {}, pass_rate=0.5),
        Variant("b", None, 0, {}, pass_rate=0.6),
    ]
    rng = random.Random(0)
    picks = Counter(choose_parent(population, 0.1, rng).id for _ in range(20000))
    expected = 1 / (1 + 2.718281828**1.0)  # P(a) = e^5 / (e^5 + e^6)
    assert picks["a"] / 20000 == pytest.approx(expected, abs=0.01)


def test_split_is_deterministic_and_disjoint():
    docs = load_documents(None, 400_000)
    train, held = split(docs, 0.5)
    assert {d.id for d in train}.isdisjoint({d.id for d in held}) and len(train) + len(held) == 8
    assert [d.id for d in split(docs, 0.5)[1]] == [d.id for d in held]


@pytest.mark.slow
def test_evolution_improves_the_pass_rate_on_the_sim(tmp_path):
    population = run_async(
        evolve(None, {"max_rounds": 3}, tmp_path / "evo", generations=6, seeds=2)
    )
    records = load_population(tmp_path / "evo")
    assert len(records) == 7  # the start plus one mutant per generation
    for r in records[1:]:
        assert r["joined"] == (r["pass_rate"] > r["parent_pass_rate"])
        assert r["runs"], "every evaluated variant is a recorded run"
    best = max(v.pass_rate for v in population)
    assert best > records[0]["pass_rate"]
    assert (tmp_path / "evo" / "best_challenger.j2").read_text() != (
        tmp_path / "evo" / "variants" / "v0_challenger.j2"
    ).read_text()


@pytest.mark.slow
def test_cli(tmp_path):
    result = cli("evolve", "--generations", "2", "--seeds", "1", "--out", str(tmp_path / "e"))
    assert result.returncode == 0, result.stderr
    assert "v0" in result.stdout and "pass rate" in result.stdout
