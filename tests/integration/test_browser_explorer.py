"""JupyterLab in headless Chromium, 04_threshold_explorer: every slider, the flags, the preset
dropdown and the rollouts control change what is shown; every decision bar is visible at
1280 px; "stored run" restores the run's rollouts; no traceback anywhere."""

import json
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

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Everything the explorer shows, as one string: counts, the unreachable note, the flips,
# the bar labels and values, the scatter's legend.
STATE = """() => JSON.stringify([
  '.wb-accepted-count', '.wb-unreachable', '.wb-explorer-bars .bartext',
  '.wb-explorer-scatter .legendtext', '.wb-explorer-bars .xtick'
].map(s => [...document.querySelectorAll(s)].map(e => e.textContent).join('|'))
 .concat([...document.querySelectorAll('table')].map(t => t.innerText).join('|')))"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory, default_run):
    root = tmp_path_factory.mktemp("lab-explorer")
    shutil.copy(ROOT / "notebooks" / "04_threshold_explorer.ipynb", root)
    shutil.copytree(default_run.dir, root / "runs" / "demo-agentic-seed0")
    with jupyterlab(root) as server:
        yield server


def state(page) -> list:
    return json.loads(page.evaluate(STATE))


def changed(page, before: list, *parts: int) -> list:
    """Wait until what the explorer shows differs from `before` (in every one of `parts`,
    by index into STATE, if given); return the new state."""
    page.wait_for_function(
        f"([b, parts]) => {{ const now = JSON.parse(({STATE})());"
        " return parts.length ? parts.every(i => now[i] !== b[i])"
        " : JSON.stringify(now) !== JSON.stringify(b); }",
        arg=[before, list(parts)],
        timeout=60_000,
    )
    return state(page)


def type_into(page, selector: str, value: str) -> None:
    readout = page.locator(f"{selector} .widget-readout")
    readout.scroll_into_view_if_needed()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def accepted(page) -> int:
    return int(page.inner_text(".wb-accepted"))


def pick_preset(page, name: str) -> list:
    before = state(page)
    page.locator(".wb-preset select").select_option(label=name)
    return changed(page, before)


def reset(page) -> list:
    """Back to the stored run (through another preset, so the dropdown really changes)."""
    pick_preset(page, "autodata")
    return pick_preset(page, "stored run")


def test_every_control_of_the_explorer(lab, default_run):
    stored = default_run.summary["accepted"]
    kinds = len(analysis.decision_counts(default_run.rounds))
    with chromium_page(width=1280, height=1000) as page:
        try:
            open_notebook(page, lab, "04_threshold_explorer.ipynb")
            run_all_cells(page)
            page.wait_for_selector(".wb-accepted", timeout=180_000)
            wait_until_idle(page)
            page.wait_for_selector(".wb-explorer-bars .xtick", timeout=60_000)
            assert accepted(page) == stored
            _all_bars_visible(page, kinds)
            screenshot(page, "explorer_1280")

            # every threshold slider (switched on first where the stored run has it off)
            steps = {
                "weak_max": "0.2",
                "weak_rollout_max": "0.25",
                "strong_min": "0.9",
                "strong_max": "0.9",
                "min_gap": "0.7",
                "alpha": "0.2",
            }
            for key, value in steps.items():
                before = state(page)
                box = page.locator(f".wb-enable-{key} input[type=checkbox]")
                if not box.is_checked():
                    box.click()
                type_into(page, f".wb-slider-{key}", value)
                page.wait_for_function(
                    f"v => document.querySelector('.wb-slider-{key} .widget-readout')"
                    ".innerText.trim() === v",
                    arg=f"{float(value):.3f}" if key == "alpha" else f"{float(value):.2f}",
                )
                after = changed(page, before, 0)
                assert after[0] != before[0], key  # the counts line (accepted or flips)
                assert "flips: 0" not in after[0], key
                assert after[5] != before[5], key  # the flips list
                after = reset(page)
                assert accepted(page) == stored and "flips: 0" in after[0]

            # a flag
            before = state(page)
            page.locator(".wb-flag-weak_no_zero input[type=checkbox]").click()
            after = changed(page, before, 0, 2, 3)  # counts, bars and scatter legend
            assert accepted(page) < stored and after[2] != before[2]  # bars moved
            assert after[3] != before[3]  # scatter legend counts moved
            reset(page)

            # rollouts below what alpha needs: said in the widget, not a silent 0
            before = state(page)
            type_into(page, ".wb-rollouts", "2")
            changed(page, before)
            assert accepted(page) == 0
            note = page.inner_text(".wb-unreachable")
            assert "cannot be reached with 2 rollouts" in note and "at least 3" in note
            screenshot(page, "explorer_unreachable")

            # a preset, then "stored run" restores the run's rollouts
            after = pick_preset(page, "autodata")
            assert "autodata" in page.locator(".wb-preset select").input_value()
            assert accepted(page) != stored or "flips: 0" not in after[0]
            pick_preset(page, "stored run")
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
