"""What the exports say about each example's kind: its question type and reasoning-skill tags
(every row), and the dataset card's counts of them and line on the rubric rules."""

from __future__ import annotations

from collections import Counter
from typing import Any


def row_tags(example: dict[str, Any]) -> dict[str, Any]:
    """The question type and reasoning-skill tags every format carries (empty skills in
    examples written before skill tags)."""
    return {
        "question_type": example.get("question_type") or "",
        "skills": list(example.get("skills") or []),
    }


def rubric_line(rubric: dict[str, Any]) -> str:
    """The card's line on the rubric rules (runs from before rubric styles are `evolved`)."""
    style = rubric.get("style", "evolved")
    low, high = rubric.get("min_criteria"), rubric.get("max_criteria")
    weight = rubric.get("max_weight")
    signs = (
        f"at least {rubric.get('min_positive', 1)} positive and "
        f"{rubric.get('min_negative', 0)} negative, weights -{weight} to +{weight}"
        if rubric.get("allow_negative")
        else f"positive weights 1 to {weight}"
    )
    return f"Rubric style `{style}`: {low} to {high} criteria, {signs}."


def tags_section(kept: list[dict[str, Any]], limit: int = 20) -> str:
    """The card's counts of the exported examples' question types and skill tags (each row's
    `question_type` and `skills` columns hold them)."""

    def table(name: str, counts: Counter) -> str:
        rows = [f"| {k} | {n} |" for k, n in counts.most_common(limit)]
        if len(counts) > limit:
            rows.append(f"| … {len(counts) - limit} more | |")
        return "\n".join([f"| {name} | examples |", "| --- | --- |", *rows])

    types = Counter(e.get("question_type") or "(none)" for e in kept)
    skills = Counter(s for e in kept for s in dict.fromkeys(e.get("skills") or []))
    untagged = sum(1 for e in kept if not e.get("skills"))
    parts = [table("question type", types), ""]
    if skills:
        parts.append(table("skill", skills))
        if untagged:
            parts += ["", f"{untagged} exported examples have no skill tags."]
    else:
        parts.append("No exported example has skill tags (written before skill tags).")
    return "\n".join(parts)
