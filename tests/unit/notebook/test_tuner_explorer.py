"""The prompt tuner and the threshold explorer driven from Python: what they show, where
Save writes, and that the controls follow each other."""

import asyncio
import json

import pytest

from tests.support import DOCS, run_async
from workbench.config import min_p_value
from workbench.inputs import default_prompts_dir
from workbench.notebook.widgets import PromptTuner, ThresholdExplorer

PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture
def tuner(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"max_rounds": 2}))
    return PromptTuner(
        [DOCS / "article-iii.txt"],
        str(cfg),
        out_dir=tmp_path / "runs",
        save_dir=tmp_path / "tuned",
    )


def _mimes(output):
    return [set(o.get("data", {})) for o in output.outputs]


def test_a_variant_fills_the_tuners_own_outputs(tuner):
    """Table, chart and diff land in the tuner's Outputs as data, not as printed output
    (which a task started by a button callback would lose)."""
    assert not tuner.table_out.outputs and not tuner.chart_out.outputs
    edited = tuner.editors["challenger"].value + "\nBe <b>terse</b>."
    tuner.editors["challenger"].value = edited
    run_async(tuner._run_and_show())  # what the Run button starts
    (table,) = tuner.table_out.outputs
    assert "<table" in table["data"]["text/html"] and "variant-1" in table["data"]["text/html"]
    assert PLOTLY in _mimes(tuner.chart_out)[0]
    diff = tuner.diff_out.outputs[0]["data"]["text/html"]
    assert "+Be &lt;b&gt;terse&lt;/b&gt;." in diff  # untrusted text escaped
    assert "variant-1: " in tuner.status.value and "accepted" in tuner.status.value
    run_async(tuner.run_variant("second"))
    assert "second" in tuner.table_out.outputs[0]["data"]["text/html"]
    assert len(tuner.table_out.outputs) == 1 and len(tuner.chart_out.outputs) == 1


def test_a_failing_run_from_the_button_is_shown(tuner):
    tuner.picker.value = ()

    async def click():
        tuner._start(tuner._run_and_show())
        while tuner._tasks:
            await asyncio.sleep(0.01)

    run_async(click())  # no document picked: the error reaches the widget, it does not vanish
    assert "pick at least one document" in tuner.status.value
    assert "Traceback" in tuner.errors.outputs[0]["text"]
    assert tuner.run_button.disabled is False


def test_save_follows_the_open_tab_and_writes_to_the_user_folder(tuner, tmp_path):
    bundled = (default_prompts_dir() / "judge.j2").read_text()
    tuner.tabs.selected_index = tuner.roles.index("judge")
    assert tuner.save_role.value == "judge"
    tuner.save_role.value = "verifier"
    assert tuner.tabs.selected_index == tuner.roles.index("verifier")
    tuner.tabs.selected_index = tuner.roles.index("judge")
    tuner.editors["judge"].value = bundled + "\n{# tuned #}"
    tuner.save_button.click()
    target = tmp_path / "tuned" / "judge.j2"
    assert target.read_text().endswith("{# tuned #}")
    assert str(target) in tuner.status.value
    assert (default_prompts_dir() / "judge.j2").read_text() == bundled
    tuner.editors["judge"].value = "second"
    assert tuner.save("judge") == target and target.read_text() == "second"
    (old,) = (tmp_path / "tuned" / ".history").iterdir()
    assert old.read_text().endswith("{# tuned #}") and str(old) in tuner.status.value


def test_weak_and_strong_save_to_their_own_files(tuner, tmp_path):
    tuner.editors["weak"].value = "weak text"
    tuner.editors["strong"].value = "strong text"
    assert tuner.save("weak").read_text() == "weak text"
    assert tuner.save("strong").read_text() == "strong text"


def test_save_refuses_the_bundled_prompts_folder(tmp_path):
    tuner = PromptTuner([DOCS / "article-iii.txt"], save_dir=default_prompts_dir())
    tuner.save_button.click()
    assert "refusing to overwrite the bundled prompts" in tuner.status.value
    with pytest.raises(ValueError, match="bundled"):
        tuner.save("challenger")


def test_a_passed_prompt_never_overwrites_the_users_edits(tuner):
    tuner.editors["challenger"].value = "my own edit {{ document }}"
    run_async(tuner.run_variant("passed", {"challenger": "passed text", "judge": "passed judge"}))
    assert tuner.editors["challenger"].value == "my own edit {{ document }}"
    assert tuner.editors["judge"].value == "passed judge"  # untouched editor shows it
    assert tuner.variants[-1].prompts["challenger"] == "passed text"
    assert "challenger editor keeps your edits" in tuner.status.value


# ---- threshold explorer


def test_stored_run_restores_the_runs_rollouts(default_run):
    ex = ThresholdExplorer(default_run)
    n = default_run.config.rollouts
    ex.rollouts.value = 2
    ex.preset.value = "autodata"
    ex.preset.value = "stored run"
    assert ex.rollouts.value == n
    assert ex.accepted == default_run.summary["accepted"]


def test_unreachable_alpha_is_said_not_silent(default_run):
    ex = ThresholdExplorer(default_run)
    assert ex.unreachable.value == ""
    ex.rollouts.value = 2
    assert ex.accepted == 0
    note = ex.unreachable.value
    assert "alpha 0.05 cannot be reached with 2 rollouts" in note
    assert f"{min_p_value(2, 2):.3g}" in note and "at least 3 rollouts" in note
    ex.sliders["alpha"].value = 0.2  # above 1/6: reachable again
    assert ex.unreachable.value == "" and ex.accepted > 0
    ex.sliders["alpha"].value = 0.05
    ex.enabled["alpha"].value = False  # no significance test: nothing to reach
    assert ex.unreachable.value == ""


def test_explorer_bars_show_every_decision_kind_and_integer_ticks(default_run):
    ex = ThresholdExplorer(default_run)
    bars = ex.bars.data[0]
    from workbench.records import DECISIONS

    assert set(DECISIONS) <= set(bars.x)
    assert ex.bars.layout.yaxis.tickformat == ",d"
    assert ex.bars.layout.autosize is True and ex.bars.layout.width is None
    ex.sliders["weak_max"].value = 0.1
    assert list(ex.bars.data[0].y) == [int(v) for v in ex.bars.data[0].y]
