"""Widgets driven from Python: controls change what is shown."""

import asyncio
import json

import pytest

from tests.support import DOCS, run_async
from workbench.notebook.widgets import PromptTuner, RunPanel, ThresholdExplorer
from workbench.records import load_run


def test_moving_a_slider_changes_the_accepted_count(default_run):
    ex = ThresholdExplorer(default_run)
    stored = ex.accepted
    assert stored == default_run.summary["accepted"]
    assert f"<span class='wb-accepted'>{stored}</span>" in ex.counts.value
    ex.sliders["weak_max"].value = 0.1
    assert ex.accepted < stored
    assert f"<span class='wb-accepted'>{ex.accepted}</span>" in ex.counts.value
    assert "flips: " in ex.counts.value and "<table>" in ex.flip_list.value
    accepted_trace = [t for t in ex.scatter.data if t.name.startswith("accepted")]
    assert len(accepted_trace[0].x) == ex.accepted if accepted_trace else ex.accepted == 0
    assert ex.bars.data[0].y[0] == ex.accepted


def test_preset_alpha_and_rollouts(default_run):
    ex = ThresholdExplorer(default_run)
    ex.preset.value = "autodata"
    assert ex.thresholds().min_gap == 0.2 and ex.enabled["alpha"].value is False
    ex.preset.value = "stored run"
    assert ex.accepted == default_run.summary["accepted"]
    ex.rollouts.value = 2  # alpha 0.05 is out of reach with 2 rollouts
    assert ex.accepted == 0
    ex.enabled["alpha"].value = False
    assert ex.accepted > 0


def test_inconsistent_thresholds_are_shown_not_raised(default_run):
    ex = ThresholdExplorer(default_run)
    ex.sliders["weak_max"].value = 0.9
    assert "must be below" in ex.counts.value


def test_run_panel_runs_and_stop_keeps_the_run(tmp_path):
    panel = RunPanel(refresh_s=0)
    run = run_async(panel.run([DOCS / "article-iii.txt"], out=tmp_path / "done"))
    assert (
        panel.progress.value == 1
        and "done" in panel.status.value
        and run.summary["status"] == "complete"
    )

    panel = RunPanel(refresh_s=0)

    async def start_then_stop():
        task = asyncio.ensure_future(panel.run(None, out=tmp_path / "stopped"))
        while panel._counts["rounds"] < 3:
            await asyncio.sleep(0.01)
        panel.stop()
        return await task

    stopped = run_async(start_then_stop())
    assert stopped.summary["status"] == "cancelled" and "stopped" in panel.status.value
    assert 3 <= stopped.summary["rounds"] < 40
    assert len(load_run(tmp_path / "stopped").records("rounds")) == stopped.summary["rounds"]


@pytest.mark.slow
def test_prompt_tuner_variants_diff_and_save(tmp_path):
    prompt = tmp_path / "challenger.j2"
    prompt.write_text((DOCS.parents[1] / "prompts" / "challenger.j2").read_text())
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"prompts": {"challenger": str(prompt)}, "max_rounds": 4}))
    tuner = PromptTuner(
        [DOCS / "article-iii.txt", DOCS / "article-iv.txt"], str(cfg), out_dir=tmp_path / "t"
    )
    run_async(tuner.run_variant("a"))
    edited = tuner.editors["challenger"].value.replace("Never address", "Never, ever address")
    run_async(tuner.run_variant("b", {"challenger": edited}))
    table = tuner.table()
    assert list(table["run"]) == ["a", "b"] and (table["documents"] == 2).all()
    assert "+Never, ever address" in tuner.diff()
    assert (
        tuner.variants[1].run.header["prompts"]["challenger"]["sha256"]
        != tuner.variants[0].run.header["prompts"]["challenger"]["sha256"]
    )
    tuner.save_dir = tmp_path / "tuned"
    saved = tuner.save("challenger")  # into the user's folder, never over the config's file
    assert saved == tmp_path / "tuned" / "challenger.j2" and "Never, ever" in saved.read_text()
    assert "Never, ever" not in prompt.read_text()
