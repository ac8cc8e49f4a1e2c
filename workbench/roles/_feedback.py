"""Feedback to the challenger: earlier rejected rounds, grouped by why, in the paper's shape.
Pure functions.

Each earlier question is one numbered line, `N. [question_type] "question" — detail`, under
the heading of its group; the detail is the published template's (the main agent prompt in the
Autodata blog: `weak avg: X%` for TOO EASY, `weak avg: X%, strong avg: Y%, gap: Z%` for FAILED
ON STRONG, `QV reason: …` for FAILED QUALITY CHECK) or, for the workbench's own decisions, the
same shape (`… p: 0.120` for NOT SIGNIFICANT, `loop judge: …` for IMPROVE). Lines are numbered in the order the questions were asked; groups without
entries are left out by the template. Neutralising and fencing happen in `_variables`."""

from __future__ import annotations

from typing import Any

GROUPS = (
    "too_easy",
    "too_hard",
    "failed_on_strong",
    "failed_quality",
    "not_significant",
    "improve",
)
"""Decisions that go back to the challenger, in the order the feedback lists them."""
HEADINGS = {
    "too_easy": "TOO EASY",
    "too_hard": "TOO HARD",
    "failed_on_strong": "FAILED ON STRONG",
    "failed_quality": "FAILED QUALITY CHECK",
    "not_significant": "NOT SIGNIFICANT",
    "improve": "IMPROVE",
}
EMPTY: dict[str, Any] = {"any": False, **{g: [] for g in GROUPS}}


def percent(value: float | None) -> str:
    """A mean in 0..1 as a whole percentage (`0.875` → `88%`); `n/a` when there is none."""
    return "n/a" if value is None else f"{100 * value:.0f}%"


def feedback_detail(
    decision: str,
    reason: str,
    weak_mean: float | None,
    strong_mean: float | None,
    gap: float | None,
    p_value: float | None,
) -> str:
    """What follows the question on its feedback line (the paper's shape per group)."""
    if decision in ("too_easy", "too_hard"):
        return f"weak avg: {percent(weak_mean)}"
    scores = (
        f"weak avg: {percent(weak_mean)}, strong avg: {percent(strong_mean)}, gap: {percent(gap)}"
    )
    if decision == "failed_on_strong":
        return scores
    if decision == "not_significant":
        return scores + ("" if p_value is None else f", p: {p_value:.3f}")
    if decision == "failed_quality":
        return f"QV reason: {reason}"
    if decision == "improve":
        return f"loop judge: {reason}"
    return reason


def feedback_groups(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Earlier rounds' questions grouped as the challenger prompt shows them. Each entry has
    `number` (its place among the questions listed, in the order asked), `question_type`,
    `question`, `detail` (the text after the dash) and the round's figures and reason."""
    groups: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    number = 0
    for r in sorted(rounds, key=lambda r: r["round"]):
        kind = r["decision"]
        if kind not in groups or not r.get("task"):
            continue
        number += 1
        figures = {k: r.get(k) for k in ("weak_mean", "strong_mean", "gap", "p_value")}
        reason = " ".join(str(r.get("reason") or "").split())
        groups[kind].append(
            {
                "number": number,
                "round": r["round"],
                "question_type": " ".join(str(r["task"].get("question_type") or "open").split()),
                "question": " ".join(str(r["task"].get("question", "")).split()),
                "detail": feedback_detail(kind, reason, **figures),
                **figures,
                "reason": reason,
            }
        )
    return {"any": any(groups.values()), **groups}


def feedback_line(
    decision: str,
    reason: str,
    weak_mean: float | None,
    strong_mean: float | None,
    gap: float | None,
    p_value: float | None,
) -> str:
    """What a round adds to the next challenger prompt, for its record: the group's heading
    and the line's detail (`TOO EASY — weak avg: 90%`); empty for an accepted round."""
    if decision == "accepted":
        return ""
    if decision not in HEADINGS:
        return f"ERROR: {reason}"
    detail = feedback_detail(decision, reason, weak_mean, strong_mean, gap, p_value)
    return f"{HEADINGS[decision]} — {detail}"
