"""See the data itself: every round of a run, document by document, and a human verdict on
each accepted example.

A table of rounds (itables' DataTables widget: sortable, searchable, offline) is the index;
picking a document (or a row of the table) shows its trajectory round by round: the task,
the rubric, every weak and strong answer with the judge's per-criterion credit, the
decision and the feedback the challenger got next. Keep / Reject with a note appends a
`Review` to RUN_DIR/reviews.jsonl. Every text from a document or a model is escaped: it is
shown, never rendered.
"""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as w
from pydantic import ValidationError

from workbench.errors import RunDirError
from workbench.inputs import section_order
from workbench.notebook.widgets._round_card import (
    NO_REASONS,
    STYLE,
    esc,
    round_card,
)
from workbench.records import DECISIONS, Run, append_review, make_review, review_counts
from workbench.records._types import RoundRecord

ALL = ""
MAX_CARDS = 30
"""Rounds drawn in full at once (pick a document or narrow the filters for the rest)."""
"""Texts longer than this many characters start collapsed."""


def searchable(r: RoundRecord) -> str:
    """The text the search box looks in: question, reference answer and every answer."""
    task = r.task
    parts = [task.question, task.reference_answer] if task else []
    parts += [a.answer for a in (*r.weak_rollouts, *r.strong_rollouts)]
    return "\n".join(parts).casefold()


def rounds_table(run: Run, records: list[RoundRecord] | None = None):
    """One row per round (of `records`, default all the run's): the frame the browser's table
    shows, with whole questions and the latest review of accepted rounds."""
    import pandas as pd

    verdicts = {k: v.verdict for k, v in run.reviews.items()}
    records = run.typed("rounds") if records is None else records
    rows = [
        {
            "doc_id": r.doc_id,
            "round": r.round,
            "decision": r.decision,
            "weak_mean": _round(r.weak_mean),
            "strong_mean": _round(r.strong_mean),
            "gap": _round(r.gap),
            "review": verdicts.get(f"{r.doc_id}#r{r.round}", ""),
            "question": r.task.question if r.task else "",
            "reason": r.reason,
        }
        for r in _sorted(records)
    ]
    return pd.DataFrame(
        rows,
        columns=["doc_id", "round", "decision", "weak_mean", "strong_mean", "gap", "review"]
        + ["question", "reason"],
    )


def examples_table(run: Run, limit: int | None = None):
    """The accepted examples (the first `limit`) with their whole questions, wrapped: a pandas
    Styler with every text escaped."""
    frame = run.accepted
    columns = [c for c in ("id", "question", "weak_mean", "strong_mean", "gap") if c in frame]
    return (
        frame[columns]
        .head(limit)
        .style.hide(axis="index")
        .format(precision=2, escape="html")
        .set_properties(
            subset=["question"],
            **{"white-space": "pre-wrap", "text-align": "left", "min-width": "30em"},
        )
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _sorted(records: list[RoundRecord]) -> list[RoundRecord]:
    return sorted(records, key=lambda r: (section_order(r.doc_id), r.round))  # #s2 before #s10


class RoundBrowser:
    """Browse a run's rounds and review its accepted examples.

    `document` picks a document (or all), `decision` and `search` filter the rounds (a
    decision, or all; a case-insensitive substring of the question, reference answer or
    any answer). `shown` is the list of rounds that pass; `view` their cards (HTML);
    `table` the interactive table of them. `example`, `note`, `keep` and `reject` append
    a review of an accepted example to reviews.jsonl.
    """

    def __init__(self, run: Run | str | Path, reviewer: str | None = None):
        self.run = run if isinstance(run, Run) else Run(run)
        self.records = _sorted(self.run.typed("rounds"))
        self.examples = {e.id: e for e in self.run.typed("accepted")}
        self.last_round = {r.doc_id: r.round for r in self.records}
        self.shown: list[RoundRecord] = []
        self.counts: dict[str, int] = {}
        self._table_frame = None
        kinds = {r.decision for r in self.records}
        ordered = [d for d in DECISIONS if d in kinds] + sorted(kinds - set(DECISIONS))
        count = {d: sum(r.decision == d for r in self.records) for d in kinds}
        self.document = w.Dropdown(
            options=[("all documents", ALL)]
            + [(f"{d} ({n} rounds)", d) for d, n in self._documents().items()],
            value=ALL,
            description="document",
        )
        self.decision = w.Dropdown(
            options=[("all", ALL)] + [(f"{d} ({count[d]})", d) for d in ordered],
            value=ALL,
            description="decision",
        )
        self.search = w.Text(
            placeholder="text in a question or an answer",
            description="search",
            continuous_update=False,
        )
        for control, name in ((self.document, "document"), (self.decision, "decision")):
            control.add_class(f"wb-{name}")
        self.search.add_class("wb-search")
        self.status = w.HTML()
        self.status.add_class("wb-browser-status")
        self.view = w.HTML(layout=w.Layout(max_height="900px", overflow="auto"))
        self.view.add_class("wb-rounds")
        self.table = self._make_table()
        self.table.observe(self._on_select, "selected_rows")
        self.example = w.Dropdown(description="example", layout=w.Layout(width="420px"))
        self.example.add_class("wb-example")
        self.note = w.Textarea(
            placeholder="note (optional, plain text)", layout=w.Layout(width="420px")
        )
        self.note.add_class("wb-note")
        self.reviewer = w.Text(value=reviewer or os.environ.get("USER", ""), description="reviewer")
        self.keep = w.Button(description="Keep", button_style="success", icon="check")
        self.reject = w.Button(description="Reject", button_style="danger", icon="times")
        self.keep.add_class("wb-keep")
        self.reject.add_class("wb-reject")
        self.review_status = w.HTML()
        self.review_status.add_class("wb-review-status")
        self.keep.on_click(lambda _: self.review("keep"))
        self.reject.on_click(lambda _: self.review("reject"))
        for control in (self.document, self.decision, self.search):
            control.observe(lambda _: self.update(), "value")
        self.example.observe(lambda _: self._show_review(), "value")
        review_box = w.VBox(
            [
                w.HTML("<b>Review an accepted example</b>"),
                w.HBox([self.example, self.reviewer]),
                self.note,
                w.HBox([self.keep, self.reject]),
                self.review_status,
            ]
        )
        self.widget = w.VBox(
            [
                w.HBox([self.document, self.decision, self.search]),
                self.status,
                self.table,
                review_box,
                w.HTML(f"<i class='wb-label'>{esc(NO_REASONS)}</i>"),
                self.view,
            ]
        )
        self.widget.add_class("wb-round-browser")
        self.update()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _documents(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.records:
            out[r.doc_id] = out.get(r.doc_id, 0) + 1
        return out

    def _make_table(self):
        from itables.widget import ITable

        return ITable(
            rounds_table(self.run, []),
            classes="display compact",
            select={"style": "single"},
            pageLength=10,
            maxBytes=0,
            showIndex=False,
        )

    def filtered(self) -> list[RoundRecord]:
        """The rounds the decision and search filters let through (every document)."""
        needle = self.search.value.strip().casefold()
        return [
            r
            for r in self.records
            if (self.decision.value == ALL or r.decision == self.decision.value)
            and (not needle or needle in searchable(r))
        ]

    def update(self) -> None:
        """Apply the filters: the table lists the rounds that pass, the cards show the picked
        document's (or the first MAX_CARDS of all), the review picker their accepted examples."""
        passing = self.filtered()
        doc = self.document.value
        self.shown = [r for r in passing if doc == ALL or r.doc_id == doc]
        frame = rounds_table(self.run, passing)
        if self._table_frame is None or not frame.equals(self._table_frame):
            self._table_frame = frame
            self.table.update(frame, selected_rows=[])
        verdicts = {k: v.verdict for k, v in self.run.reviews.items()}
        cards = [
            round_card(
                r,
                last=r.round == self.last_round[r.doc_id],
                verdict=verdicts.get(f"{r.doc_id}#r{r.round}"),
            )
            for r in self.shown[:MAX_CARDS]
        ]
        more = (
            f"<p class='wb-label'>{len(self.shown) - MAX_CARDS} more rounds: pick a document "
            "or narrow the filters to see them</p>"
            if len(self.shown) > MAX_CARDS
            else ""
        )
        empty = "<p class='wb-label'>no round matches</p>" if not self.shown else ""
        self.view.value = STYLE + "".join(cards) + more + empty
        ids = [f"{r.doc_id}#r{r.round}" for r in self.shown]
        ids = [i for i in ids if i in self.examples]
        current = self.example.value
        self.example.options = [(self._example_label(i, verdicts), i) for i in ids]
        self.example.value = current if current in ids else (ids[0] if ids else None)
        self._show_counts(passing)
        self._show_review()

    def _example_label(self, example_id: str, verdicts: dict[str, str]) -> str:
        verdict = {"keep": "kept", "reject": "rejected"}.get(verdicts.get(example_id, ""))
        return f"{example_id} ({verdict})" if verdict else example_id

    def _show_counts(self, passing: list[RoundRecord]) -> None:
        counts = review_counts(self.run.dir)
        self.counts = counts
        doc = f" (document {esc(self.document.value)})" if self.document.value else ""
        self.status.value = (
            f"rounds shown: <b><span class='wb-shown'>{len(self.shown)}</span></b>{doc} · "
            f"pass the filters: {len(passing)} of {len(self.records)} · reviews: "
            f"<span class='wb-kept'>{counts['kept']}</span> kept, "
            f"<span class='wb-rejected'>{counts['rejected']}</span> rejected, "
            f"<span class='wb-unreviewed'>{counts['unreviewed']}</span> unreviewed"
        )

    def _show_review(self) -> None:
        on = self.example.value is not None
        self.keep.disabled = self.reject.disabled = not on
        if not on:
            self.review_status.value = (
                "<i class='wb-label'>no accepted example among the rounds shown</i>"
            )
            return
        latest = self.run.reviews.get(self.example.value)
        self.review_status.value = (
            f"latest review: <b>{esc(latest.verdict)}</b>"
            + (f" by {esc(latest.reviewer)}" if latest.reviewer else "")
            + (f": {esc(latest.note)}" if latest.note else "")
            if latest
            else "<i class='wb-label'>not reviewed yet</i>"
        )

    def _on_select(self, change) -> None:
        rows = change["new"]
        if rows and rows[0] < len(self._table_frame):
            self.document.value = str(self._table_frame["doc_id"][rows[0]])

    def review(self, verdict: str) -> None:
        """Append a review of the picked example (`keep` or `reject`) with the note."""
        example_id = self.example.value
        if example_id is None:
            return
        try:
            append_review(
                self.run.dir,
                make_review(example_id, verdict, self.note.value, self.reviewer.value.strip()),
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err.get("loc", ()))
            self.review_status.value = (
                f"<b style='color:#d62728'>not saved: {esc(where)}: {esc(err['msg'])}</b>"
            )
            return
        except (RunDirError, OSError) as exc:
            self.review_status.value = f"<b style='color:#d62728'>not saved: {esc(exc)}</b>"
            return
        self.note.value = ""
        self.update()
        self.review_status.value = (
            f"saved: <b class='wb-saved'>{esc(verdict)}</b> {esc(example_id)} · "
            + self.review_status.value
        )
