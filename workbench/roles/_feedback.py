"""Feedback to the challenger: earlier rejected rounds, grouped by why. Pure functions."""

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
HEADINGS = {
    "too_easy": "TOO EASY",
    "too_hard": "TOO HARD",
    "failed_on_strong": "FAILED ON STRONG",
    "failed_quality": "FAILED QUALITY CHECK",
    "not_significant": "NOT SIGNIFICANT",
    "improve": "IMPROVE (loop judge)",
}
EMPTY: dict[str, Any] = {"any": False, **{g: [] for g in GROUPS}}


def feedback_groups(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Earlier rounds' questions grouped as the challenger prompt shows them."""
    groups: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    for r in sorted(rounds, key=lambda r: r["round"]):
        kind = r["decision"]
        if kind not in groups or not r.get("task"):
            continue
        groups[kind].append(
            {
                "round": r["round"],
                "question": " ".join(str(r["task"].get("question", "")).split()),
                "weak_mean": r.get("weak_mean"),
                "strong_mean": r.get("strong_mean"),
                "gap": r.get("gap"),
                "p_value": r.get("p_value"),
                "reason": r.get("reason", ""),
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
    """The one line a round contributes to the next challenger prompt."""
    if decision == "too_easy":
        return f"TOO EASY: weak mean {weak_mean:.2f} ({reason})"
    if decision == "too_hard":
        return f"TOO HARD: weak mean {weak_mean:.2f} ({reason})"
    if decision == "failed_on_strong":
        return f"FAILED ON STRONG: weak {weak_mean:.2f}, strong {strong_mean:.2f}, gap {gap:.2f} ({reason})"
    if decision == "failed_quality":
        return f"FAILED QUALITY CHECK: {reason}"
    if decision == "not_significant":
        return f"NOT SIGNIFICANT: weak {weak_mean:.2f}, strong {strong_mean:.2f}, p {p_value:.3f}"
    if decision == "improve":
        return f"IMPROVE (loop judge): {reason}"
    if decision == "accepted":
        return ""
    return f"ERROR: {reason}"
