"""A judge panel in the round card: per-criterion agreement columns (low ones flagged) and
each member's grades of an answer. Nothing is shown for a single judge."""

from __future__ import annotations

import html

from workbench.records import Rollout, RoundRecord

LOW = "<span class='wb-low' title='low judge agreement' style='color:#d62728'>⚠</span>"


def agreement_head(r: RoundRecord) -> str:
    """The agreement columns' headers (empty without a panel)."""
    if not r.agreement:
        return ""
    return "<th title='percent agreement of the panel'>agree</th><th title=\"Fleiss' kappa\">κ</th>"


def agreement_cells(r: RoundRecord, index: int) -> str:
    """Criterion `index` (0-based): percent agreement and kappa, ⚠ when flagged."""
    if not r.agreement:
        return ""
    found = [a for a in r.agreement if a.criterion == index + 1]
    if not found:
        return "<td>–</td><td>–</td>"
    a = found[0]
    agreement = "–" if a.agreement is None else f"{a.agreement:.2f}"
    kappa = "–" if a.kappa is None else f"{a.kappa:.2f}"
    flag = f" {LOW}" if a.low else ""
    return f"<td>{agreement}{flag}</td><td>{kappa}</td>"


def member_grades(a: Rollout) -> str:
    """' · judges: openai/x 1 0 · anthropic/y abstained' (empty without a panel)."""
    if not a.panel:
        return ""
    parts = []
    for m in a.panel:
        credits = "abstained" if m.met is None else " ".join(f"{v:g}" for v in m.met)
        parts.append(f"{html.escape(m.judge)} {credits}")
    return " · judges: " + " · ".join(parts)


def agreement_note(r: RoundRecord) -> str:
    """A line naming the low-agreement criteria (empty when none)."""
    if not r.low_agreement:
        return ""
    numbers = ", ".join(str(c) for c in r.low_agreement)
    return f"<p class='wb-label'>{LOW} low judge agreement on criteria {numbers}</p>"
