"""Headless notebook reports: parameters are checked before anything runs, and widgets
appear in the report as static snapshots of their state."""

import json
import re

import pytest

from tests.support import cli
from workbench.errors import WorkbenchError
from workbench.notebook import NotebookParameterError, records, run_notebook
from workbench.notebook._snapshot import WIDGET_STATE, WIDGET_VIEW, add_snapshots
from workbench.notebook.widgets import RunPanel, ThresholdExplorer


def test_an_unknown_parameter_is_an_error_before_anything_runs(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(NotebookParameterError) as caught:
        run_notebook("gap_analysis", {"rundir": "X"}, out_dir=out, cwd=tmp_path)
    assert isinstance(caught.value, WorkbenchError)
    message = str(caught.value)
    assert "'rundir'" in message and "run_dir, baseline_dir" in message
    assert not out.exists() and not (tmp_path / "runs").exists()


def test_the_cli_reports_an_unknown_parameter_in_one_line(tmp_path):
    out = tmp_path / "out"
    result = cli("notebook", "gap_analysis", "-p", "rundir", "X", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbench: error: ")
    assert "'rundir'" in lines[0] and "run_dir" in lines[0] and "baseline_dir" in lines[0]
    assert "Traceback" not in result.stderr and not out.exists()


def _notebook_with(widget) -> dict:
    """An executed notebook's JSON holding one widget output and the widgets' saved state
    (the format nbclient writes, from ipywidgets' own embedding code)."""
    from ipywidgets.embed import embed_data

    data = embed_data(views=[widget])
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            WIDGET_VIEW: {"model_id": widget.model_id, "version_major": 2, "version_minor": 0},
            "text/plain": repr(widget),
        },
    }
    cell = {"cell_type": "code", "metadata": {}, "source": "", "outputs": [output]}
    return {"cells": [cell], "metadata": {"widgets": {WIDGET_STATE: data["manager_state"]}}}


def test_the_threshold_explorer_snapshot_shows_its_controls_counts_and_figures(default_run):
    explorer = ThresholdExplorer(default_run)
    nb = _notebook_with(explorer.widget)
    assert add_snapshots(nb) == 1
    snapshot = nb["cells"][0]["outputs"][0]["data"]["text/html"]
    assert snapshot.count("wb-plotly-snapshot") == 2 and "VBox(children=" not in snapshot
    # The scatter's points are sent as binary buffers: they are back as numbers.
    figure = re.search(r"var f = (.*?); Plotly.newPlot", snapshot).group(1)
    drawn = json.loads(figure.replace("<\\/", "</"))["data"][0]
    assert drawn["x"] == pytest.approx(list(explorer.scatter.data[0].x), abs=1e-5)

    explorer.sliders["weak_max"].value = 0.25  # the snapshot is of the last state
    nb = _notebook_with(explorer.widget)
    add_snapshots(nb)
    snapshot = nb["cells"][0]["outputs"][0]["data"]["text/html"]
    assert f"<span class='wb-accepted'>{explorer.accepted}</span>" in snapshot
    assert "wb-slider-weak_max" in snapshot and ">0.25<" in snapshot
    assert "stored run" in snapshot and "rollouts used" in snapshot


def test_the_run_panel_snapshot_escapes_and_shows_the_last_status(tmp_path):
    panel = RunPanel()
    panel.progress.max, panel.progress.value = 8, 3
    panel.status.value = "done: 2 accepted"
    panel.stop_button.description = "<Stop>"
    nb = _notebook_with(panel.widget)
    add_snapshots(nb)
    snapshot = nb["cells"][0]["outputs"][0]["data"]["text/html"]
    assert "done: 2 accepted" in snapshot and "<progress value='3' max='8'>" in snapshot
    assert "&lt;Stop&gt;" in snapshot and "<Stop>" not in snapshot


@pytest.mark.slow
def test_meta_optimization_shows_the_evolve_progress_in_its_report(tmp_path):
    executed, report = run_notebook(
        "meta_optimization",
        {"generations": 2, "seeds": 1, "out_dir": str(tmp_path / "evo")},
        out_dir=tmp_path / "out",
        cwd=tmp_path,
    )
    assert set(records(executed)["pass_rates"]) == {"v0", "v1", "v2"}
    html = report.read_text()
    bar = re.search(r"wb-evolve-progress.*?<progress([^>]*)>", html, re.DOTALL).group(1)
    assert re.search(r"value=.3.", bar) and re.search(r"max=.3.", bar)  # every variant counted
    assert "3/3 · v2 pass rate" in html
    assert "HBox(children=" not in html and "IntProgress(" not in html
