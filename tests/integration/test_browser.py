"""JupyterLab in headless Chromium: run the threshold explorer, move a slider, see the count change.

Uses Debian's chromium through Playwright's Python package (no browser download).
"""

import shutil

import pytest

from tests.support import ROOT
from tests.support.lab import ARTIFACTS, CHROMIUM, jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, default_run):
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks" / "04_threshold_explorer.ipynb", root)
    shutil.copytree(default_run.dir, root / "runs" / "demo-agentic-seed0")
    with jupyterlab(root) as server:
        yield server


def test_threshold_slider_changes_the_accepted_count(lab, default_run):
    from playwright.sync_api import sync_playwright

    url, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        try:
            page.goto(f"{url}/lab/tree/04_threshold_explorer.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=90_000)
            page.wait_for_selector(".jp-KernelName:has-text('Python 3')", timeout=90_000)
            page.click("li.lm-MenuBar-item:has-text('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            page.wait_for_selector(".wb-accepted", timeout=180_000)
            before = page.inner_text(".wb-accepted")
            assert int(before) == default_run.summary["accepted"]

            readout = page.locator(".wb-slider-weak_max .widget-readout")
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("0.1")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "b => document.querySelector('.wb-accepted').innerText !== b",
                arg=before,
                timeout=60_000,
            )
            after = page.inner_text(".wb-accepted")
            assert int(after) < int(before)
            assert "flips:" in page.inner_text(".wb-accepted-count")
            page.locator(".wb-accepted-count").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "threshold_explorer.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "threshold_explorer_failure.png"))
            raise
        finally:
            browser.close()
    assert (ARTIFACTS / "threshold_explorer.png").stat().st_size > 10_000


def test_html_report_renders_charts_offline(tmp_path, default_run):
    from playwright.sync_api import sync_playwright

    from workbench.notebook import run_notebook

    _, report = run_notebook(
        "gap_analysis", {"run_dir": str(default_run.dir)}, out_dir=tmp_path, cwd=tmp_path
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(offline=True)
        page = context.new_page()
        remote = []
        page.on("request", lambda r: remote.append(r.url) if r.url.startswith("http") else None)
        page.goto(report.as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.plotly-graph-div .main-svg').length >= 7", timeout=60_000
        )
        charts = page.locator(".plotly-graph-div").count()
        page.locator(".plotly-graph-div").nth(
            2
        ).hover()  # interactive: plotly's hover layer responds
        browser.close()
    assert charts == 7 and remote == []
