"""JupyterLab in headless Chromium, 02_prompt_tuning: run all, type into the challenger
editor, press Run variant and see its comparison (table, chart, diff) in the page; the save
dropdown follows the open tab; Save writes where the tuner says, inside the lab's folder."""

import json
from pathlib import Path

import pytest

from tests.support import DOCS, ROOT
from tests.support.lab import (
    assert_no_traceback,
    chromium_page,
    jupyterlab,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = "02_prompt_tuning.ipynb"
ADDED = "Always quote the article you draw on."


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The notebook with small parameters: two documents, two rounds each."""
    root = tmp_path_factory.mktemp("lab-tuner")
    (root / "small.json").write_text(json.dumps({"max_rounds": 2}))
    nb = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text())
    (params,) = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    docs = [str(DOCS / "article-iii.txt"), str(DOCS / "article-iv.txt")]
    params["source"] += f"\ndocs = {docs!r}\nconfig = 'small.json'\n"
    (root / NOTEBOOK).write_text(json.dumps(nb))
    with jupyterlab(root) as server:
        yield server, root


def test_run_variant_shows_its_comparison_and_save_lands_in_the_lab(lab):
    server, root = lab
    bundled = {p: p.read_text() for p in (ROOT / "prompts").glob("*.j2")}
    with chromium_page(width=1400, height=1100) as page:
        try:
            open_notebook(page, server, NOTEBOOK)
            run_all_cells(page)
            page.wait_for_selector(".wb-tuner-status:has-text('edited:')", timeout=240_000)
            wait_until_idle(page)

            editor = page.locator(".wb-editor-challenger textarea")
            editor.scroll_into_view_if_needed()
            editor.click()
            page.keyboard.press("Control+End")
            page.keyboard.type(f"\n{ADDED}\n")
            page.locator(".wb-editor-challenger").click()  # let the textarea sync
            page.click("button:has-text('Run variant')")
            page.wait_for_selector(".wb-tuner-status:has-text('variant-3:')", timeout=180_000)

            table = page.locator(".wb-tuner-table table")
            table.scroll_into_view_if_needed()
            assert table.is_visible() and "variant-3" in table.inner_text()
            assert [r for r in ("bundled", "edited") if r in table.inner_text()] == [
                "bundled",
                "edited",
            ]
            chart = page.locator(".wb-tuner-chart .js-plotly-plot")
            chart.scroll_into_view_if_needed()
            assert chart.is_visible()
            page.wait_for_selector(".wb-tuner-chart .xtick:has-text('variant-3')")
            diff = page.locator(".wb-tuner-diff pre")
            assert diff.is_visible() and f"+{ADDED}" in diff.inner_text()
            assert "edited/challenger" in diff.inner_text()
            screenshot(page, "tuner_variant")

            # the save dropdown follows the open tab, and Save writes that role's prompt
            page.locator(".widget-tab .lm-TabBar-tab:has-text('judge')").click()
            page.wait_for_function(
                "() => document.querySelector('.wb-save-role select').value === 'judge'"
            )
            judge = page.locator(".wb-editor-judge textarea")
            judge.click()
            page.keyboard.press("Control+End")
            page.keyboard.type("\n{# tuned in the browser #}")
            page.locator(".wb-save-role").click()
            page.click("button:has-text('Save to prompts-tuned/')")
            status = page.locator(".wb-tuner-status:has-text('saved the judge prompt to')")
            status.wait_for(timeout=60_000)
            said = status.inner_text().split("saved the judge prompt to ")[1].split(".j2")[0]
            saved = Path(said + ".j2")
            assert saved.is_relative_to(root) and saved == root / "prompts-tuned" / "judge.j2"
            assert saved.read_text().endswith("{# tuned in the browser #}")
            assert {p: p.read_text() for p in (ROOT / "prompts").glob("*.j2")} == bundled
            assert not (ROOT / "prompts-tuned").exists()
            screenshot(page, "tuner_saved")
            assert_no_traceback(page)
        except Exception:
            screenshot(page, "tuner_failure")
            raise
