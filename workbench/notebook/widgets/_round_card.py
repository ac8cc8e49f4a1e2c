"""A round as HTML for the round browser: task, rubric grid with each rollout's credit,
answers, decision and feedback. Every text from a document or a model is escaped."""

from __future__ import annotations

import html
from typing import Any

from workbench.analysis import decision_color, decision_meaning
from workbench.notebook.widgets._panel_card import (
    agreement_cells,
    agreement_head,
    agreement_note,
    member_grades,
)
from workbench.records import Rollout, RoundRecord

COLLAPSE = 240


STYLE = """<style>
.wb-rounds .wb-round {border:1px solid #ddd; border-radius:6px; padding:6px 10px; margin:8px 0}
.wb-rounds .wb-text {white-space:pre-wrap; overflow-wrap:anywhere}
.wb-rounds details.wb-more summary {cursor:pointer; white-space:pre-wrap; overflow-wrap:anywhere}
.wb-rounds table {border-collapse:collapse; margin:4px 0}
.wb-rounds td, .wb-rounds th {border:1px solid #e5e5e5; padding:2px 6px; vertical-align:top; text-align:left}
.wb-rounds .wb-decision {color:#fff; border-radius:4px; padding:0 6px}
.wb-rounds .wb-label {color:#666; font-size:90%}
</style>"""


NO_REASONS = (
    "The judge's per-criterion reasons are not stored in rounds.jsonl: each answer shows "
    "the credit per criterion (✓ met, ✗ not met, a number for partial credit) and its score."
)


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def collapsible(text: str | None, limit: int = COLLAPSE) -> str:
    """Escaped text; when longer than `limit`, a <details> showing the start until opened."""
    text = text or ""
    if len(text) <= limit:
        return f"<div class='wb-text'>{esc(text)}</div>"
    return (
        f"<details class='wb-more'><summary>{esc(text[: limit // 2])}… "
        f"<i class='wb-label'>({len(text)} characters: open to read all)</i></summary>"
        f"<div class='wb-text'>{esc(text)}</div></details>"
    )


def decision_badge(decision: str) -> str:
    """The decision in its chart colour, its meaning on hover (unknown kinds in grey)."""
    return (
        f"<span class='wb-decision' style='background:{decision_color(decision)}' "
        f"title='{esc(decision_meaning(decision))}'>{esc(decision)}</span>"
    )


def _credit(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 1:
        return "<span style='color:#2ca02c'>✓</span>"
    if value <= 0:
        return "<span style='color:#d62728'>✗</span>"
    return f"{value:.2f}"


def _grades(r: RoundRecord) -> str:
    """The rubric with weights, one column per rollout (its credit per criterion), scores last."""
    rollouts: list[Rollout] = [*r.weak_rollouts, *r.strong_rollouts]
    names = [f"{a.side[0].upper()}{a.rollout + 1}" for a in rollouts]
    rubric = r.task.rubric if r.task else []
    head = "".join(f"<th>{n}</th>" for n in names)
    rows = []
    for i, c in enumerate(rubric):
        cells = "".join(
            f"<td>{_credit(a.met[i] if i < len(a.met) else None)}</td>" for a in rollouts
        )
        rows.append(
            f"<tr><td>{esc(c.criterion)}</td><td>{c.weight:+d}</td>{cells}"
            f"{agreement_cells(r, i)}</tr>"
        )
    scores = "".join(f"<td><b>{a.score:.2f}</b></td>" for a in rollouts)
    rows.append(f"<tr><td><i>score</i></td><td></td>{scores}</tr>")
    return (
        "<table class='wb-grades'><tr><th>criterion</th><th>weight</th>"
        f"{head}{agreement_head(r)}</tr>{''.join(rows)}</table>{agreement_note(r)}"
    )


def _answers(r: RoundRecord) -> str:
    items = []
    for a in (*r.weak_rollouts, *r.strong_rollouts):
        flags = f" · flags: {esc(', '.join(a.flags))}" if a.flags else ""
        items.append(
            f"<div class='wb-answer'><span class='wb-label'>{a.side} answer {a.rollout + 1} · "
            f"score {a.score:.2f}{member_grades(a)}{flags}</span>{collapsible(a.answer)}</div>"
        )
    if not items:
        return "<p class='wb-label'>no solver answered (the round ended before the solvers)</p>"
    return "".join(items)


def _loop_judge(r: RoundRecord) -> str:
    """The loop judge's verdict, suitability and any forced-improve reasons (or nothing)."""
    lj = r.loop_judge
    if lj is None:
        return ""
    forced = f" · forced: {esc('; '.join(lj.forced))}" if lj.forced else ""
    recap = " · case recap" if lj.case_recap else ""
    return (
        f"<p class='wb-loop-judge'><b>loop judge:</b> {esc(lj.verdict)} · suitability "
        f"{lj.suitability}/5{recap}{forced} <span class='wb-label'>{esc(lj.reason)}</span></p>"
    )


def round_card(r: RoundRecord, last: bool, verdict: str | None = None) -> str:
    """One round as HTML: task, rubric and grades, answers, decision, feedback sent next."""
    means = " · ".join(
        f"{name} {value:.2f}"
        for name, value in (("weak", r.weak_mean), ("strong", r.strong_mean), ("gap", r.gap))
        if value is not None
    )
    review = f" · review: <b class='wb-verdict'>{esc(verdict)}</b>" if verdict else ""
    parts = [
        f"<div class='wb-round' data-doc='{esc(r.doc_id)}' data-round='{r.round}'>",
        f"<h4>{esc(r.doc_id)} · round {r.round} · {decision_badge(r.decision)}"
        f"<span class='wb-label'> {means}{review}</span></h4>",
        f"<p><b>reason:</b> {esc(r.reason)}</p>",
        _loop_judge(r),
    ]
    if r.task:
        t = r.task
        parts += [
            f"<p><b>question</b> <span class='wb-label'>({esc(t.question_type)})</span></p>",
            collapsible(t.question, 3 * COLLAPSE),
            "<p><b>context</b></p>",
            collapsible(t.context),
            "<p><b>reference answer</b></p>",
            collapsible(t.reference_answer),
            _grades(r),
            _answers(r),
        ]
    else:
        parts.append("<p class='wb-label'>the challenger wrote no usable task</p>")
    if r.quality is not None:
        ok = "passed" if r.quality.ok else "failed"
        parts.append(f"<p><b>quality check:</b> {ok}: {esc(r.quality.reason)}</p>")
    if r.raw:
        parts += ["<p><b>raw model output</b></p>", collapsible(r.raw, 0)]
    sent = "(last round: not sent)" if last else "(sent to the challenger's next round)"
    parts.append(
        f"<p><b>feedback</b> <span class='wb-label'>{sent}</span></p>"
        f"{collapsible(r.feedback or '(none)')}</div>"
    )
    return "".join(parts)
