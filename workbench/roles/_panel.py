"""A judge panel: every member grades the answer, the grades are combined per criterion.

A member whose reply is unusable (ModelOutputError) abstains; only when every member abstains
is the grade an error, as it is for a single judge."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from workbench.config import ModelSpec
from workbench.errors import ModelOutputError

Grades = tuple[list[float], list[str]]


def combine(members: Sequence[Sequence[float] | None], rule: str) -> list[float]:
    """Per-criterion credit from the members' credits (None: the member abstained).
    `majority`: 1 when more than half the graders give credit >= 0.5, else 0 (a tie is not
    met); `mean`: the mean credit. Raises ValueError when every member abstained."""
    graded = [list(m) for m in members if m is not None]
    if not graded:
        raise ValueError("every panel member abstained")
    out = []
    for credits in zip(*graded, strict=True):
        if rule == "mean":
            out.append(round(sum(credits) / len(credits), 6))
        elif rule == "majority":
            out.append(1.0 if 2 * sum(c >= 0.5 for c in credits) > len(credits) else 0.0)
        else:
            raise ValueError(f"unknown combine rule {rule!r}")
    return out


async def panel_grade(
    members: Sequence[ModelSpec],
    one: Callable[[ModelSpec], Awaitable[Grades]],
    rule: str,
    quorum: int = 1,
) -> tuple[list[float], list[str], list[tuple[str, list[float] | None]]]:
    """Every member grades at once (`one(spec)` is that member's `grade()`); returns the
    combined credit, the flags (each member's repairs and abstentions, named), and per member
    (model, credits or None when it abstained). Fewer than `quorum` graders (at least one):
    ModelOutputError, as for a single judge's unusable reply."""
    results = await asyncio.gather(*(one(s) for s in members), return_exceptions=True)
    flags: list[str] = []
    votes: list[tuple[str, list[float] | None]] = []
    failures: list[ModelOutputError] = []
    for spec, result in zip(members, results, strict=True):
        if isinstance(result, ModelOutputError):
            failures.append(result)
            flags.append(f"judge {spec.model} abstained: {str(result)[:160]}")
            votes.append((spec.model, None))
        elif isinstance(result, BaseException):
            raise result
        else:
            met, member_flags = result
            flags.extend(f"judge {spec.model}: {f}" for f in member_flags)
            votes.append((spec.model, met))
    graded = len(members) - len(failures)
    if graded < max(1, quorum):
        first = failures[0]
        what = (
            "every panel member abstained"
            if not graded
            else (
                f"only {graded} of {len(members)} panel members graded (judge_panel.quorum {quorum})"
            )
        )
        raise ModelOutputError(f"{what}; first: {first}", first.raw)
    return combine([m for _, m in votes], rule), flags, votes
