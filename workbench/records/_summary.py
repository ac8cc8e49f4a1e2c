"""Run totals, kept incrementally (memory stays flat in the number of documents)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from workbench.records._types import DECISIONS


@dataclass
class Tally:
    """Running totals over rounds and calls; `summary()` is what summary.json holds.

    `accepted` counts rounds whose decision is accepted; `kept` counts the examples written to
    accepted.jsonl: the accepted ones, and in baseline mode every task the strong side solved
    (kept whatever its decision). In agentic mode the two are equal."""

    documents: int = 0
    documents_done: int = 0
    documents_accepted: int = 0
    documents_kept: int = 0
    rounds: int = 0
    decisions: Counter = field(default_factory=Counter)
    accepted: int = 0
    accept_round_sum: int = 0
    accepted_weak: list[float] = field(default_factory=lambda: [0.0, 0])
    accepted_strong: list[float] = field(default_factory=lambda: [0.0, 0])
    kept: int = 0
    kept_weak: list[float] = field(default_factory=lambda: [0.0, 0])
    kept_strong: list[float] = field(default_factory=lambda: [0.0, 0])
    calls: int = 0
    reasks: int = 0
    call_errors: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    paid_tokens: int = 0
    priced_calls: int = 0
    unpriced_calls: int = 0

    def add_round(self, r: dict[str, Any], kept: bool = False) -> None:
        """A round record; `kept`: an example was written for it (accepted, or in baseline
        mode solved by the strong side). Means are over every stored rollout score of the
        round (as in its example); a side with no scores is skipped."""
        self.rounds += 1
        self.decisions[r["decision"]] += 1
        if r["decision"] == "accepted":
            self.accepted += 1
            self.accept_round_sum += r["round"]
            _add_mean(self.accepted_weak, r.get("weak_scores"))
            _add_mean(self.accepted_strong, r.get("strong_scores"))
        if kept:
            self.kept += 1
            _add_mean(self.kept_weak, r.get("weak_scores"))
            _add_mean(self.kept_strong, r.get("strong_scores"))

    def add_document(self, accepted: bool, kept: bool | None = None) -> None:
        """A finished document: with an accepted round, and with a kept example (default: the
        same, as in agentic mode)."""
        self.documents_done += 1
        self.documents_accepted += int(accepted)
        self.documents_kept += int(accepted if kept is None else kept)

    def add_call(self, c: dict[str, Any]) -> None:
        self.calls += 1
        self.reasks += int(bool(c.get("reask")))
        self.call_errors += int(bool(c.get("error")))
        self.cached_calls += int(bool(c.get("cached")))
        tokens = (c.get("prompt_tokens") or 0) + (c.get("completion_tokens") or 0)
        self.prompt_tokens += c.get("prompt_tokens") or 0
        self.completion_tokens += c.get("completion_tokens") or 0
        self.reasoning_tokens += c.get("reasoning_tokens") or 0
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
            "documents_kept": self.documents_kept,
            "rounds": self.rounds,
            "accepted": self.accepted,
            "kept": self.kept,
            "mean_rounds_to_accept": _ratio(self.accept_round_sum, self.accepted),
            "rounds_per_accepted": _ratio(self.rounds, self.accepted),
            "accepted_weak_mean": _ratio(*self.accepted_weak),
            "accepted_strong_mean": _ratio(*self.accepted_strong),
            "kept_weak_mean": _ratio(*self.kept_weak),
            "kept_strong_mean": _ratio(*self.kept_strong),
            "calls": self.calls,
            "reasks": self.reasks,
            "call_errors": self.call_errors,
            "cached_calls": self.cached_calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "tokens": self.prompt_tokens + self.completion_tokens,
            "paid_tokens": self.paid_tokens,
            "cost_usd": round(self.cost_usd, 6) if self.priced_calls else None,
            "unpriced_calls": self.unpriced_calls,
            "decisions": {d: self.decisions.get(d, 0) for d in DECISIONS},
        }


def _add_mean(acc: list[float], scores: list[float] | None) -> None:
    if scores:
        acc[0] += fmean(scores)
        acc[1] += 1


def _ratio(a: float, b: int) -> float | None:
    return round(a / b, 4) if b else None


def format_summary(s: dict[str, Any]) -> str:
    """The closing table printed by `workbench run` and `workbench report`."""
    cost = s.get("cost_usd")
    cost_text = "unknown (no prices for these models)" if cost is None else f"${cost:,.4f}"
    if cost is not None and s.get("unpriced_calls"):
        cost_text += f" (+{s['unpriced_calls']} calls without a price)"
    kept = s.get("kept", s["accepted"])
    baseline = kept != s["accepted"] or s.get("documents_kept", 0) != s["documents_accepted"]
    documents = f"{s['documents_done']} done of {s['documents']}, {s['documents_accepted']} with an accepted round"
    if baseline:
        documents += f", {s.get('documents_kept', 0)} with a kept task"
    errors = s.get("decisions", {}).get("error", 0)
    rows = [
        ("documents", documents),
        ("rounds", f"{s['rounds']} ({errors} error rounds)" if errors else str(s["rounds"])),
        ("accepted", f"{s['accepted']} (rounds whose decision is accepted)"),
    ]
    if baseline:
        rows.append(("kept", f"{kept} (baseline: every task the strong side solved is kept)"))
    rows += [
        (
            "mean round of acceptance",
            f"{_fmt(s['mean_rounds_to_accept'])} (published CS loop: 6.59)",
        ),
        ("rounds spent per accepted", f"{_fmt(s['rounds_per_accepted'])} (all rounds / accepted)"),
        (
            "weak / strong mean (accepted)",
            f"{_fmt(s['accepted_weak_mean'])} / {_fmt(s['accepted_strong_mean'])}",
        ),
    ]
    if baseline:
        rows.append(
            (
                "weak / strong mean (kept)",
                f"{_fmt(s.get('kept_weak_mean'))} / {_fmt(s.get('kept_strong_mean'))}",
            )
        )
    tokens = (
        f"{s['tokens']:,} ({s['prompt_tokens']:,} prompt, {s['completion_tokens']:,} completion"
    )
    if s.get("reasoning_tokens"):
        tokens += f", of which {s['reasoning_tokens']:,} reasoning"
    rows += [
        (
            "calls",
            f"{s['calls']} ({s['reasks']} re-asks, {s['call_errors']} failed call attempts, "
            f"{s['cached_calls']} from the cache)",
        ),
        ("tokens", tokens + ")"),
        ("cost", cost_text),
    ]
    if s.get("reviews"):
        r = s["reviews"]
        rows.append(
            (
                "human review",
                f"{r['kept']} kept, {r['rejected']} rejected, {r['unreviewed']} not reviewed "
                "(export drops the rejected)",
            )
        )
    if s.get("filter"):
        rows.append(("final filter", filter_line(s["filter"])))
    if s.get("status"):
        rows.append(
            ("status", s["status"] + (f": {s['stop_reason']}" if s.get("stop_reason") else ""))
        )
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def filter_line(counts: dict[str, int]) -> str:
    """`accepted → retained` of the final filter (filtered.jsonl), and whether it is stale."""
    line = f"{counts['filtered']} accepted → {counts['retained']} retained (filtered.jsonl)"
    late = counts["accepted"] - counts["filtered"]
    if late:
        line += f"; {late} accepted after it ran: run `workbench filter` again"
    return line


def format_decisions(s: dict[str, Any]) -> str:
    total = max(1, s["rounds"])
    lines = ["decision            rounds   share"]
    for d, n in s["decisions"].items():
        lines.append(f"{d:<18}  {n:>6}  {n / total:6.1%}")
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
