"""The round browser, driven from Python: filters change the rounds shown, untrusted text is
escaped, and Keep / Reject land in reviews.jsonl."""

from __future__ import annotations

import json
import shutil

import pytest

import workbench
from workbench.notebook.widgets import RoundBrowser, examples_table, rounds_table
from workbench.records import MAX_NOTE, latest_reviews

SCRIPT = "<script>alert('pwned')</script>"


@pytest.fixture
def run_dir(default_run, tmp_path):
    shutil.copytree(default_run.dir, tmp_path / "run")
    return tmp_path / "run"


def hostile_copy(run_dir):
    """The run with one answered round's first weak answer, question and feedback replaced by markup."""
    path = run_dir / "rounds.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    target = next(r for r in lines if r["weak_rollouts"])
    target["weak_rollouts"][0]["answer"] = SCRIPT
    target["task"]["question"] = "<img src=x onerror=alert(1)> what?"
    target["feedback"] = "TOO EASY </details><b>bold</b>"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    return target


def test_a_script_answer_is_shown_as_text(run_dir):
    target = hostile_copy(run_dir)
    browser = RoundBrowser(run_dir)
    browser.document.value = target["doc_id"]
    page = browser.view.value
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page and "<img" not in page and "<b>bold</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # The interactive table escapes too (itables' escape_html).
    table = json.dumps(browser.table._dt_args)
    assert "<img" not in table and "&lt;img" in table


def test_a_documents_trajectory_round_by_round(default_run):
    browser = RoundBrowser(default_run)
    assert len(browser.shown) == default_run.summary["rounds"]
    doc = default_run.records("rounds")[0]["doc_id"]
    browser.document.value = doc
    rounds = [r for r in default_run.records("rounds") if r["doc_id"] == doc]
    assert [r.round for r in browser.shown] == sorted(r["round"] for r in rounds)
    page = browser.view.value
    assert page.count("class='wb-round'") == len(rounds)
    answered = next(r for r in rounds if r["weak_rollouts"])
    criterion = answered["task"]["rubric"][0]
    assert f"{criterion['weight']:+d}" in page
    assert "weak answer 1 · score" in page and "<th>W1</th>" in page
    assert "not stored in rounds.jsonl" in browser.widget.children[4].value
    assert page.count("(last round: not sent)") == 1
    assert f"<span class='wb-shown'>{len(rounds)}</span>" in browser.status.value


def test_long_texts_start_collapsed(default_run):
    browser = RoundBrowser(default_run)
    longest = max(
        default_run.records("rounds"), key=lambda r: len((r["task"] or {}).get("context", ""))
    )
    browser.document.value = longest["doc_id"]
    assert "<details class='wb-more'>" in browser.view.value
    assert "open to read all" in browser.view.value


def test_the_decision_filter_and_the_search_change_the_rounds_shown(default_run):
    browser = RoundBrowser(default_run)
    decisions = default_run.summary["decisions"]
    options = dict((v, k) for k, v in browser.decision.options)
    assert options[""] == "all" and set(options) - {""} == {d for d, n in decisions.items() if n}
    browser.decision.value = "failed_on_strong"
    assert len(browser.shown) == decisions["failed_on_strong"]
    assert {r.decision for r in browser.shown} == {"failed_on_strong"}
    assert list(browser._table_frame["decision"].unique()) == ["failed_on_strong"]
    assert len(browser._table_frame) == decisions["failed_on_strong"]

    browser.decision.value = ""
    example = default_run.records("accepted")[0]
    words = example["label"][:12]
    browser.search.value = words.upper()  # case-insensitive, answers included
    assert browser.shown and all(words.casefold() in _text(r) for r in browser.shown)
    assert len(browser.shown) < default_run.summary["rounds"]
    browser.search.value = "no round says this 1234567"
    assert browser.shown == [] and "no round matches" in browser.view.value
    assert browser.example.value is None and browser.keep.disabled


def _text(r):
    return "\n".join(
        [r.task.question, r.task.reference_answer]
        + [a.answer for a in (*r.weak_rollouts, *r.strong_rollouts)]
    ).casefold()


def test_an_unknown_decision_kind_is_listed_and_filtered(run_dir):
    path = run_dir / "rounds.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert "too_hard" not in {r["decision"] for r in lines}
    browser = RoundBrowser(run_dir)
    # A decision string this release does not know (too_hard is being added) is shown as is.
    browser.records[0] = browser.records[0].model_copy(update={"decision": "too_hard"})
    browser.decision.options = [*browser.decision.options, ("too_hard (1)", "too_hard")]
    browser.decision.value = "too_hard"
    assert [r.decision for r in browser.shown] == ["too_hard"]
    assert "too_hard</span>" in browser.view.value


def test_picking_a_table_row_picks_its_document(default_run):
    browser = RoundBrowser(default_run)
    frame = browser._table_frame
    browser.table.selected_rows = [len(frame) - 1]
    assert browser.document.value == frame["doc_id"].iloc[-1]


def test_keep_and_reject_append_reviews(run_dir):
    browser = RoundBrowser(run_dir, reviewer="ana")
    ids = [e["id"] for e in workbench.load_run(run_dir).records("accepted")]
    assert [v for _, v in browser.example.options] == sorted(ids, key=_by_doc_round)
    first, second = browser.example.options[0][1], browser.example.options[1][1]
    browser.example.value = first
    browser.note.value = "clear, <b>checkable</b>"
    browser.keep.click()
    browser.example.value = second
    browser.reject.click()
    latest = latest_reviews(run_dir)
    assert latest[first].verdict == "keep" and latest[first].note == "clear, <b>checkable</b>"
    assert latest[first].reviewer == "ana" and latest[second].verdict == "reject"
    assert (
        browser.note.value == ""
        and "saved: <b class='wb-saved'>reject</b>" in browser.review_status.value
    )
    assert browser.counts == {"kept": 1, "rejected": 1, "unreviewed": len(ids) - 2}
    assert "<span class='wb-rejected'>1</span> rejected" in browser.status.value
    assert dict((v, k) for k, v in browser.example.options)[first] == f"{first} (kept)"
    browser.example.value = first
    assert "clear, &lt;b&gt;checkable&lt;/b&gt;" in browser.review_status.value
    assert set(browser._table_frame.set_index("doc_id")["review"]) >= {"keep", "reject"}


def test_an_oversize_note_is_refused_and_nothing_is_written(run_dir):
    browser = RoundBrowser(run_dir)
    browser.note.value = "x" * (MAX_NOTE + 1)
    browser.reject.click()
    assert "not saved: note" in browser.review_status.value
    assert not (run_dir / "reviews.jsonl").exists() and browser.note.value


def test_examples_table_shows_whole_questions_escaped(run_dir):
    path = run_dir / "accepted.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    lines[0]["question"] = "A long question " * 20 + SCRIPT
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    page = examples_table(workbench.load_run(run_dir)).to_html()
    assert "A long question " * 20 in page and "<script>alert" not in page
    assert "&lt;script&gt;" in page and "pre-wrap" in page
    assert len(rounds_table(workbench.load_run(run_dir))) == len(
        workbench.load_run(run_dir).records("rounds")
    )


def _by_doc_round(example_id):
    doc, n = example_id.rsplit("#r", 1)
    return doc, int(n)
