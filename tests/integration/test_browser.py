"""Headless Chromium over an offline HTML report (the explorer's browser test is in
test_browser_explorer.py).

Uses Debian's chromium through Playwright's Python package (no browser download).
"""

import pytest

from tests.support.lab import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
            "document.querySelectorAll('.plotly-graph-div .main-svg').length >= 9", timeout=60_000
        )
        charts = page.locator(".plotly-graph-div").count()
        page.locator(".plotly-graph-div").nth(
            2
        ).hover()  # interactive: plotly's hover layer responds
        browser.close()
    assert charts == 10 and remote == []
