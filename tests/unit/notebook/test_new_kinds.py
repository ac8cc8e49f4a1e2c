"""Notebooks, charts and the explorer take the preset list from `PRESETS` and the decision kinds
from `records.DECISIONS`: a new preset and the loop judge's `improve` show up without edits."""

from __future__ import annotations

import json
import shutil

import pytest

from workbench import analysis
from workbench.config import PRESETS
from workbench.notebook.widgets import RoundBrowser, ThresholdExplorer
from workbench.notebook.widgets._explorer import FLAG_KEYS, UNIT_KEYS, preset_values
from workbench.notebook.widgets._round_card import decision_badge, round_card
from workbench.records import DECISIONS, load_run


def test_every_decision_kind_has_a_colour_and_a_meaning():
    assert "improve" in DECISIONS
    for kind in (*DECISIONS, "strong_not_run"):
        assert kind in analysis.DECISION_COLORS and kind in analysis.DECISION_MEANINGS, kind
    colours = [analysis.DECISION_COLORS[k] for k in DECISIONS]
    assert len(set(colours)) == len(colours)
    assert analysis.DECISION_ORDER[: len(DECISIONS)] == list(DECISIONS)
    badge = decision_badge("improve")
    assert analysis.DECISION_COLORS["improve"] in badge and "loop judge" in badge
    assert analysis.decision_color("a_kind_from_the_future") == "#c7c7c7"


def test_the_explorer_has_a_control_for_every_threshold():
    from workbench.config import Thresholds

    assert set(UNIT_KEYS) | set(FLAG_KEYS) | {"alpha", "preset"} == set(Thresholds.model_fields)


def test_a_new_preset_is_in_the_explorer_and_loads(default_run, monkeypatch):
    strict = {**PRESETS["seed"], "weak_max": 0.05, "judge_mode": "reference"}
    monkeypatch.setitem(PRESETS, "strict", strict)
    assert "judge_mode" not in preset_values("strict")  # not a threshold: left to the config
    ex = ThresholdExplorer(default_run)
    assert list(ex.preset.options) == ["stored run", *PRESETS]
    assert "strict" in ex.preset.options and "autodata" in ex.preset.options
    stored = ex.accepted
    ex.preset.value = "strict"
    assert ex.sliders["weak_max"].value == 0.05 and ex.enabled["alpha"].value
    assert ex.thresholds().weak_max == 0.05 and ex.accepted <= stored
    ex.preset.value = "stored run"
    assert ex.accepted == stored


@pytest.fixture
def improve_run(default_run, tmp_path):
    """The default run with one scored round rewritten as the loop judge sending it back."""
    run_dir = tmp_path / "run"
    shutil.copytree(default_run.dir, run_dir)
    path = run_dir / "rounds.jsonl"
    rounds = [json.loads(line) for line in path.read_text().splitlines()]
    target = next(r for r in rounds if r["decision"] == "accepted")
    target["decision"] = "improve"
    target["reason"] = "loop judge: a recap of the case, not a reasoning question"
    target["feedback"] = "IMPROVE — loop judge: a recap of the case, not a reasoning question"
    target["loop_judge"] = {  # as the loop stores it: the verdict that made the decision
        "verdict": "improve",
        "suitability": 2,
        "case_recap": False,
        "reason": "a recap of the case, not a reasoning question",
        "forced": [],
    }
    path.write_text("".join(json.dumps(r) + "\n" for r in rounds))
    return run_dir, target


def test_improve_rounds_in_the_browser_the_charts_and_the_explorer(improve_run):
    run_dir, target = improve_run
    run = load_run(run_dir)
    counts = analysis.decision_counts(run.rounds)
    assert counts["improve"] == 1 and list(counts.index)[: len(DECISIONS)] == list(DECISIONS)
    bar = analysis.decisions_bar(counts).data[0]
    colour = dict(zip(bar.x, bar.marker.color, strict=True))["improve"]
    assert colour == analysis.DECISION_COLORS["improve"]
    # the loop judge's verdict stands where the scores still accept the round
    redecided = analysis.redecide(run.rounds, run.config.thresholds())
    row = redecided[
        (redecided["doc_id"] == target["doc_id"]) & (redecided["round"] == target["round"])
    ].iloc[0]
    assert row["decision"] == "improve" and row["stored_decision"] == "improve"
    browser = RoundBrowser(run_dir)
    assert "improve" in [value for _, value in browser.decision.options]
    browser.decision.value = "improve"
    assert [(r.doc_id, r.round) for r in browser.shown] == [(target["doc_id"], target["round"])]
    assert analysis.DECISION_COLORS["improve"] in browser.view.value
    card = round_card(browser.shown[0], last=False)
    assert "IMPROVE — loop judge: a recap of the case" in card
    ex = ThresholdExplorer(run)
    assert "improve" in list(ex.bars.data[0].x)
