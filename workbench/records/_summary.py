"""Run totals, kept incrementally (memory stays flat in the number of documents)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from workbench.records._types import DECISIONS


@dataclass
class Tally:
    """Running totals over rounds and calls; `summary()` is what summary.json holds."""

    documents: int = 0
    documents_done: int = 0
    documents_accepted: int = 0
    rounds: int = 0
    decisions: Counter = field(default_factory=Counter)
    accepted: int = 0
    accept_round_sum: int = 0
    accepted_weak_sum: float = 0.0
    accepted_weak_n: int = 0
    accepted_strong_sum: float = 0.0
    accepted_strong_n: int = 0
    calls: int = 0
    reasks: int = 0
    call_errors: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    paid_tokens: int = 0
    priced_calls: int = 0
    unpriced_calls: int = 0

    def add_round(self, r: dict[str, Any], kept: bool = False) -> None:
        """A round record; `kept`: baseline mode wrote an example for it though not accepted.

        The accepted means are those of the example in accepted.jsonl: over every stored
        rollout score (not the verdict's settling prefix); a side with no scores is skipped."""
        self.rounds += 1
        self.decisions[r["decision"]] += 1
        if r["decision"] == "accepted" or kept:
            self.accepted += 1
            self.accept_round_sum += r["round"]
            if r.get("weak_scores"):
                self.accepted_weak_sum += fmean(r["weak_scores"])
                self.accepted_weak_n += 1
            if r.get("strong_scores"):
                self.accepted_strong_sum += fmean(r["strong_scores"])
                self.accepted_strong_n += 1

    def add_document(self, accepted: bool) -> None:
        self.documents_done += 1
        self.documents_accepted += int(accepted)

    def add_call(self, c: dict[str, Any]) -> None:
        self.calls += 1
        self.reasks += int(bool(c.get("reask")))
        self.call_errors += int(bool(c.get("error")))
        self.cached_calls += int(bool(c.get("cached")))
        tokens = (c.get("prompt_tokens") or 0) + (c.get("completion_tokens") or 0)
        self.prompt_tokens += c.get("prompt_tokens") or 0
        self.completion_tokens += c.get("completion_tokens") or 0
        if not c.get("cached"):
            self.paid_tokens += tokens
        if c.get("cost_usd") is not None:
            self.priced_calls += 1
            self.cost_usd += c["cost_usd"]
        elif not c.get("error"):
            self.unpriced_calls += 1

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "documents_done": self.documents_done,
            "documents_accepted": self.documents_accepted,
            "rounds": self.rounds,
            "accepted": self.accepted,
            "mean_rounds_to_accept": _ratio(self.accept_round_sum, self.accepted),
            "rounds_per_accepted": _ratio(self.rounds, self.accepted),
            "accepted_weak_mean": _ratio(self.accepted_weak_sum, self.accepted_weak_n),
            "accepted_strong_mean": _ratio(self.accepted_strong_sum, self.accepted_strong_n),
            "calls": self.calls,
            "reasks": self.reasks,
            "call_errors": self.call_errors,
            "cached_calls": self.cached_calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens": self.prompt_tokens + self.completion_tokens,
            "paid_tokens": self.paid_tokens,
            "cost_usd": round(self.cost_usd, 6) if self.priced_calls else None,
            "unpriced_calls": self.unpriced_calls,
            "decisions": {d: self.decisions.get(d, 0) for d in DECISIONS},
        }


def _ratio(a: float, b: int) -> float | None:
    return round(a / b, 4) if b else None


def format_summary(s: dict[str, Any]) -> str:
    """The closing table printed by `workbench run` and `workbench report`."""
    cost = s.get("cost_usd")
    cost_text = "unknown (no prices for these models)" if cost is None else f"${cost:,.4f}"
    if cost is not None and s.get("unpriced_calls"):
        cost_text += f" (+{s['unpriced_calls']} calls without a price)"
    rows = [
        (
            "documents",
            f"{s['documents_done']} done of {s['documents']}, {s['documents_accepted']} with an accepted example",
        ),
        ("rounds", str(s["rounds"])),
        ("accepted", str(s["accepted"])),
        ("mean rounds per accepted", _fmt(s["mean_rounds_to_accept"])),
        ("rounds per accepted (all)", _fmt(s["rounds_per_accepted"])),
        (
            "weak / strong mean (accepted)",
            f"{_fmt(s['accepted_weak_mean'])} / {_fmt(s['accepted_strong_mean'])}",
        ),
        (
            "calls",
            f"{s['calls']} ({s['reasks']} re-asks, {s['call_errors']} errors, {s['cached_calls']} cached)",
        ),
        (
            "tokens",
            f"{s['tokens']:,} ({s['prompt_tokens']:,} prompt, {s['completion_tokens']:,} completion)",
        ),
        ("cost", cost_text),
    ]
    if s.get("status"):
        rows.append(
            ("status", s["status"] + (f": {s['stop_reason']}" if s.get("stop_reason") else ""))
        )
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def format_decisions(s: dict[str, Any]) -> str:
    total = max(1, s["rounds"])
    lines = ["decision            rounds   share"]
    for d, n in s["decisions"].items():
        lines.append(f"{d:<18}  {n:>6}  {n / total:6.1%}")
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
