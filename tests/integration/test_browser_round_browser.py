"""JupyterLab in headless Chromium: the round browser notebook (06) over a copy of the default
run. Pick a document, filter by decision, search, open a collapsed text, Keep and Reject
accepted examples, and find the reviews on disk; the table of rounds is a live DataTable."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support import ROOT
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
from workbench.notebook.widgets import RoundBrowser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = "06_round_browser.ipynb"
RUN = "20260101-000000-agentic"


@pytest.fixture(scope="module")
def root(tmp_path_factory, default_run):
    root = tmp_path_factory.mktemp("lab-browser")
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root)
    shutil.copytree(default_run.dir, root / "runs" / RUN)  # the newest (only) run: 06 opens it
    return root


def shown(page) -> int:
    return int(page.inner_text(".wb-shown"))


def wait_shown(page, n: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('.wb-shown')?.innerText === String(n)", arg=n, timeout=60_000
    )


def pick(page, control: str, label: str) -> None:
    page.select_option(f".wb-{control} select", label=label)


def reviews_on_disk(root) -> list[dict]:
    path = root / "runs" / RUN / "reviews.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_browse_filter_search_expand_and_review(root, default_run):
    # What the page must show, from the same widget driven in Python over the same run.
    expect = RoundBrowser(default_run)
    doc_label, doc = next(
        (label, d)
        for label, d in expect.document.options
        if d and any(e.startswith(f"{d}#r") for e in expect.examples)
    )
    expect.document.value = doc
    doc_rounds = len(expect.shown)
    first_example = expect.example.value
    expect.document.value = ""
    expect.decision.value = "accepted"
    accepted = len(expect.shown)
    decision_label = next(label for label, d in expect.decision.options if d == "accepted")
    others = [e for e in expect.examples.values() if e.id != first_example]
    needle = others[0].question.split('"')[1][:30]  # the start of the quoted sentence
    expect.search.value = needle
    found = [f"{r.doc_id}#r{r.round}" for r in expect.shown]
    assert found and len(found) < accepted and first_example not in found
    second_example = found[0]

    with jupyterlab(root) as lab, chromium_page() as page:
        try:
            open_notebook(page, lab, NOTEBOOK)
            run_all_cells(page)
            page.wait_for_selector(".wb-round-browser .wb-shown", timeout=180_000)
            wait_until_idle(page)
            assert shown(page) == default_run.summary["rounds"]
            # The table of rounds is a live DataTable: rows, a search box, sortable headers.
            page.wait_for_selector(".wb-round-browser table.dataTable tbody tr", timeout=60_000)
            assert page.locator(
                ".wb-round-browser .dt-search input, .dataTables_filter input"
            ).count()

            pick(page, "document", doc_label)
            wait_shown(page, doc_rounds)
            assert page.locator(".wb-rounds .wb-round").count() == doc_rounds

            # A long text starts collapsed and opens on a click.
            details = page.locator(".wb-rounds details.wb-more").first
            full = details.locator(".wb-text")
            assert not full.is_visible()
            details.locator("summary").click()
            assert details.get_attribute("open") is not None and full.is_visible()

            # Keep, with a note (markup in it stays text).
            assert page.input_value(".wb-example select") == first_example
            page.fill(".wb-note textarea", "clear and <b>checkable</b>")
            page.click(".wb-keep")
            page.wait_for_selector(".wb-saved:has-text('keep')", timeout=60_000)
            assert [(r["example_id"], r["verdict"], r["note"]) for r in reviews_on_disk(root)] == [
                (first_example, "keep", "clear and <b>checkable</b>")
            ]
            assert "clear and <b>checkable</b>" in page.inner_text(".wb-review-status")

            pick(page, "document", "all documents")
            pick(page, "decision", decision_label)
            wait_shown(page, accepted)
            page.wait_for_function(
                "n => document.querySelectorAll('.wb-round-browser table.dataTable tbody tr')"
                ".length === n",
                arg=accepted,
                timeout=60_000,
            )
            page.fill(".wb-search input", needle)
            page.press(".wb-search input", "Enter")
            wait_shown(page, len(found))
            assert page.input_value(".wb-example select") == second_example
            page.click(".wb-reject")
            page.wait_for_selector(".wb-saved:has-text('reject')", timeout=60_000)
            assert [(r["example_id"], r["verdict"]) for r in reviews_on_disk(root)] == [
                (first_example, "keep"),
                (second_example, "reject"),
            ]
            assert page.inner_text(".wb-kept") == "1" and page.inner_text(".wb-rejected") == "1"

            # A row of the table picks its document.
            row = page.locator(".wb-round-browser table.dataTable tbody tr").first
            row_doc = row.locator("td").first.inner_text()
            row.click()
            page.wait_for_function(
                "d => document.querySelector('.wb-browser-status')?.innerText"
                ".includes('(document ' + d + ')')",
                arg=row_doc,
                timeout=60_000,
            )
            assert_no_traceback(page)
            page.locator(".wb-round-browser").scroll_into_view_if_needed()
            shot = screenshot(page, "round_browser")
            page.locator(".wb-rounds .wb-grades").first.scroll_into_view_if_needed()
            screenshot(page, "round_browser_grades")
        except Exception:
            screenshot(page, "round_browser_failure")
            raise
    assert shot.stat().st_size > 10_000


def test_the_html_report_table_works_offline(root, tmp_path):
    from playwright.sync_api import sync_playwright

    from workbench.notebook import records, run_notebook

    executed, report = run_notebook("round_browser", {}, out_dir=tmp_path, cwd=root)
    nb = json.loads(executed.read_text())
    assert not [
        o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert records(nb)["rounds_shown"] > 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True)
        page = context.new_page()
        remote = []
        page.on("request", lambda r: remote.append(r.url) if r.url.startswith("http") else None)
        page.goto(report.as_uri())
        page.wait_for_selector("table.dataTable tbody tr", timeout=60_000)
        search = page.locator(".dt-search input, .dataTables_filter input").first
        before = page.locator("table.dataTable tbody tr").count()
        search.fill("zzzz no round says this")
        page.wait_for_function(
            "() => document.querySelector('table.dataTable tbody td.dt-empty, "
            "table.dataTable tbody td.dataTables_empty') !== null",
            timeout=30_000,
        )
        browser.close()
    assert before == 10 and remote == []
