"""JupyterLab in headless Chromium, 04_threshold_explorer: every slider, the flags, the preset
dropdown and the rollouts control change what is shown; every decision bar is visible at
1280 px; "stored run" restores the run's rollouts; no traceback anywhere."""

import html
import re
import shutil

import pytest

from tests.support import ROOT
from tests.support.lab import (
    assert_no_traceback,
    chromium_page,
    jupyterlab,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until_idle,
)
from workbench import analysis
from workbench.notebook.widgets import ThresholdExplorer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, default_run):
    root = tmp_path_factory.mktemp("lab-explorer")
    shutil.copy(ROOT / "notebooks" / "04_threshold_explorer.ipynb", root)
    shutil.copytree(default_run.dir, root / "runs" / "demo-agentic-seed0")
    with jupyterlab(root) as server:
        yield server


def text(html_value: str) -> str:
    """What the browser shows of a widget's HTML value."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", html_value)).split())


def shows(page, ref: ThresholdExplorer) -> None:
    """Wait until the page shows what the reference explorer (same moves, in Python) shows:
    the counts line, the unreachable note, the bar values and the scatter's legend."""
    want = {
        "counts": text(ref.counts.value),
        "note": text(ref.unreachable.value),
        "bars": "|".join(str(v) for v in ref.bars.data[0].y),
        "legend": "|".join(t.name for t in ref.scatter.data),
    }
    page.wait_for_function(
        """want => {
          const t = s => [...document.querySelectorAll(s)].map(e => e.textContent).join('|');
          const norm = s => (document.querySelector(s)?.innerText || '').split(/\\s+/).join(' ').trim();
          return norm('.wb-accepted-count') === want.counts && norm('.wb-unreachable') === want.note
            && t('.wb-explorer-bars .bartext') === want.bars
            && t('.wb-explorer-scatter .legendtext') === want.legend;
        }""",
        arg=want,
        timeout=60_000,
    )


def type_into(page, selector: str, value: str) -> None:
    readout = page.locator(f"{selector} .widget-readout[contenteditable=true]")
    readout.scroll_into_view_if_needed()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def accepted(page) -> int:
    return int(page.inner_text(".wb-accepted"))


def flips(page) -> str:
    return page.inner_text(".wb-accepted-count").split("flips: ")[1].split(" ")[0]


def preset(page, ref, name: str) -> None:
    page.locator(".wb-preset select").select_option(label=name)
    ref.preset.value = name
    shows(page, ref)


def test_every_control_of_the_explorer(lab, default_run):
    stored = default_run.summary["accepted"]
    kinds = len(analysis.decision_counts(default_run.rounds))
    ref = ThresholdExplorer(default_run)
    with chromium_page(width=1280, height=1000) as page:
        try:
            open_notebook(page, lab, "04_threshold_explorer.ipynb")
            run_all_cells(page)
            page.wait_for_selector(".wb-accepted", timeout=180_000)
            wait_until_idle(page)
            shows(page, ref)
            assert accepted(page) == stored and flips(page) == "0"
            _all_bars_visible(page, kinds)
            screenshot(page, "explorer_1280")

            # every threshold slider, switched on first where the stored run has it off;
            # each changes the outcome, then "stored run" puts everything back
            steps = {
                "weak_max": "0.2",
                "weak_rollout_max": "0.25",
                "strong_min": "0.9",
                "strong_max": "0.9",
                "min_gap": "0.7",
                "alpha": "0.2",
            }
            for key, value in steps.items():
                box = page.locator(f".wb-enable-{key} input[type=checkbox]")
                if not box.is_checked():
                    box.click()
                    ref.enabled[key].value = True
                type_into(page, f".wb-slider-{key}", value)
                ref.sliders[key].value = float(value)
                shows(page, ref)
                assert flips(page) != "0", key  # the outcome moved
                assert page.locator("table:has-text('→')").count() == 1, key  # flips listed
                preset(page, ref, "autodata")
                preset(page, ref, "stored run")
                assert accepted(page) == stored and flips(page) == "0"

            # the flags
            for flag in ("weak_no_zero", "strong_no_zero"):
                page.locator(f".wb-flag-{flag} input[type=checkbox]").click()
                ref.flags[flag].value = True
                shows(page, ref)
            assert accepted(page) < stored
            preset(page, ref, "autodata")
            preset(page, ref, "stored run")

            # rollouts below what alpha needs: said in the widget, not a silent 0
            type_into(page, ".wb-rollouts", "2")
            ref.rollouts.value = 2
            shows(page, ref)
            assert accepted(page) == 0
            note = page.inner_text(".wb-unreachable")
            assert "cannot be reached with 2 rollouts" in note and "at least 3" in note
            screenshot(page, "explorer_unreachable")

            # a preset, then "stored run" restores the run's rollouts
            preset(page, ref, "autodata")
            assert accepted(page) != stored or flips(page) != "0"
            preset(page, ref, "stored run")
            rollouts = page.inner_text(".wb-rollouts .widget-readout")
            assert int(rollouts) == default_run.config.rollouts
            assert accepted(page) == stored and page.inner_text(".wb-unreachable") == ""
            _all_bars_visible(page, kinds)
            assert_no_traceback(page)
        except Exception:
            screenshot(page, "explorer_failure")
            raise


def _all_bars_visible(page, kinds: int) -> None:
    """Every decision's bar label lies inside the chart, the chart inside the output area,
    and all of it inside the viewport."""
    bars = page.locator(".wb-explorer-bars")
    bars.scroll_into_view_if_needed()
    box = bars.bounding_box()
    area = page.locator(".jp-OutputArea-output:has(.wb-explorer-bars)").bounding_box()
    width = page.viewport_size["width"]
    assert box["x"] + box["width"] <= min(area["x"] + area["width"], width) + 1
    svg = page.locator(".wb-explorer-bars .main-svg").first.bounding_box()
    assert svg["x"] + svg["width"] <= box["x"] + box["width"] + 1  # the figure fits its box
    ticks = page.locator(".wb-explorer-bars .xtick text")
    assert ticks.count() == kinds
    for i in range(kinds):
        t = ticks.nth(i).bounding_box()
        assert t and box["x"] - 1 <= t["x"] and t["x"] + t["width"] <= box["x"] + box["width"] + 1
