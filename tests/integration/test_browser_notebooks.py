"""The notebooks in JupyterLab in headless Chromium, as a user runs them: 01 (Run, then Stop,
and the printed resume command resumes), 03 and 05 (charts, the evolve progress bar), and
the HTML reports of 01 and 04 opened offline (widgets as snapshots, not their text repr).

Uses Debian's chromium through Playwright's Python package (no browser download)."""

import json
import re
import shlex
import shutil

import pytest

from tests.support import DOCS, ROOT, cli
from tests.support.lab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    assert_no_traceback,
    chromium_page,
    jupyterlab,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until_idle,
)
from workbench.records import load_run

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL_EVOLVE = {"generations": "2", "seeds": "1", "max_rounds": "3"}


def copy_notebook(name: str, root, **parameters: str) -> None:
    """Copy notebooks/NAME.ipynb into root with some parameters' values replaced."""
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    for key, value in parameters.items():
        source, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", source, flags=re.MULTILINE)
        assert n == 1, key
    cell["source"] = source
    (root / f"{name}.ipynb").write_text(json.dumps(nb, indent=1))


def open_and_run_all(page, server, name: str) -> None:
    """Open a notebook and run all its cells; focus it first (the lab may restore other tabs)
    and run again if no cell got queued (the menu can act before the notebook is ready)."""
    open_notebook(page, server, name)
    started = (
        "() => [...document.querySelectorAll('.jp-InputPrompt')]"
        ".some(p => /[*0-9]/.test(p.innerText))"
    )
    for attempt in range(3):
        page.locator(".jp-Notebook .jp-Cell").first.click()
        run_all_cells(page)
        try:
            page.wait_for_function(started, timeout=60_000)
            return
        except Exception:
            if attempt == 2:
                raise


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab over a folder holding copies of the notebooks; runs go to its runs/ through
    WORKBENCH_RUNS_DIR. 40 documents, so a run lasts long enough to be stopped."""
    root = tmp_path_factory.mktemp("lab-notebooks")
    docs = root / "docs"
    docs.mkdir()
    for copy in range(5):
        for doc in DOCS.glob("*.txt"):
            shutil.copy(doc, docs / f"{doc.stem}-{copy}.txt")
    copy_notebook("01_quickstart", root, docs='["docs"]')
    copy_notebook("03_gap_analysis", root)
    copy_notebook("05_meta_optimization", root, out_dir='"evolve-small"', **SMALL_EVOLVE)
    settings = root / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)  # every cell stays in the page, so every output is checked
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = {
        "WORKBENCH_RUNS_DIR": str(root / "runs"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
    }
    with jupyterlab(root, env=env) as server:
        yield server, root, env


def test_quickstart_stop_shows_a_resume_command_that_resumes(lab):
    server, root, env = lab
    with chromium_page() as page:
        try:
            open_and_run_all(page, server, "01_quickstart.ipynb")
            page.wait_for_function(
                "() => /[1-9][0-9]* rounds/.test("
                "document.querySelector('.wb-run-status')?.innerText || '')",
                timeout=180_000,
            )
            page.click("button.wb-run-stop")
            page.wait_for_selector(".wb-resume-command", timeout=60_000)
            wait_until_idle(page)
            status = page.inner_text(".wb-run-status")
            command = page.inner_text(".wb-resume-command")
            assert_no_traceback(page)
            screenshot(page, "quickstart_stopped")
        except Exception:
            screenshot(page, "quickstart_failure")
            raise
    assert "stopped:" in status and "documents" in status
    words = shlex.split(command)
    assert words[:3] == ["workbench", "run", "--resume"]
    run_dir = words[3]
    assert str(root / "runs") in run_dir  # the runs folder of WORKBENCH_RUNS_DIR
    stopped = load_run(run_dir).summary
    assert stopped["status"] == "cancelled" and stopped["documents_done"] < stopped["documents"]

    result = cli(*words[1:], "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    resumed = load_run(run_dir).summary
    assert resumed["status"] == "complete" and resumed["documents_done"] == 40


def test_gap_analysis_runs_and_draws_its_charts(lab):
    server, root, _ = lab
    with chromium_page() as page:
        try:
            open_and_run_all(page, server, "03_gap_analysis.ipynb")
            wait_until_idle(page)
            # plotly.js marks every drawn chart .js-plotly-plot (JupyterLab's plotly renderer)
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 9",
                timeout=120_000,
            )
            charts = page.locator(".js-plotly-plot").count()
            text = page.inner_text(".jp-Notebook")
            assert_no_traceback(page)
            screenshot(page, "gap_analysis")
        except Exception:
            screenshot(page, "gap_analysis_failure")
            raise
    assert charts == 10
    assert "showing " in text  # says which run it shows
    latest = [p for p in (root / "runs").iterdir() if not p.name.startswith("demo-")]
    if latest:  # after the quickstart test: its run, the latest one, not the demo
        assert f"showing {max(latest, key=lambda p: (p / 'config.json').stat().st_mtime)}" in text


def test_meta_optimization_shows_progress_and_the_evolution_chart(lab):
    server, root, _ = lab
    with chromium_page() as page:
        try:
            open_and_run_all(page, server, "05_meta_optimization.ipynb")
            page.wait_for_selector(".wb-evolve-progress", timeout=120_000)
            wait_until_idle(page, timeout_ms=400_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            label = page.inner_text(".wb-evolve-progress-label")
            assert_no_traceback(page)
            screenshot(page, "meta_optimization")
        except Exception:
            screenshot(page, "meta_optimization_failure")
            raise
    assert label.startswith("3/3 ")  # the starting prompt and two generations
    assert (root / "evolve-small" / "population.jsonl").is_file()


@pytest.mark.parametrize(
    ("name", "widget"), [("quickstart", ".wb-run-status"), ("threshold_explorer", ".wb-accepted")]
)
def test_widget_reports_render_offline_as_snapshots(tmp_path, default_run, name, widget):
    from playwright.sync_api import sync_playwright

    from workbench.notebook import run_notebook

    parameters = {"max_rounds": 3, "out_dir": str(tmp_path / "run")}
    if name == "threshold_explorer":
        parameters = {"run_dir": str(default_run.dir)}
    _, report = run_notebook(name, parameters, out_dir=tmp_path / "out", cwd=tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1100})
            page = context.new_page()
            remote, errors = [], []
            page.on("request", lambda r: remote.append(r.url) if r.url.startswith("http") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri())
            page.wait_for_selector(widget, timeout=30_000)
            page.wait_for_function(
                "document.querySelectorAll('.plotly-graph-div .main-svg').length >= 1",
                timeout=60_000,
            )
            text = page.inner_text("body")
            page.locator(widget).first.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_path(f"report_{name}")))
        finally:
            browser.close()
    assert "VBox(children=" not in text and "HBox(children=" not in text
    assert remote == [] and errors == []
    if name == "threshold_explorer":
        assert "weak_max" in text and "rollouts used" in text
        assert f"accepted rounds: {default_run.summary['accepted']}" in text
    else:
        assert "done:" in text and "accepted" in text


def screenshot_path(name: str):
    from tests.support.lab import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
