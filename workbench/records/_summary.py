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
    cached_prompt_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_savings_usd: float = 0.0
    by_role: dict[str, SpendTally] = field(default_factory=dict)
    by_decision: dict[str, SpendTally] = field(default_factory=dict)
    open_rounds: dict[tuple[str, int], SpendTally] = field(default_factory=dict)
    """Spend of rounds whose record has not arrived yet (a round's calls come before it; at
    most the rounds in flight, so memory stays flat)."""

    def add_round(self, r: dict[str, Any], kept: bool = False) -> None:
        """A round record; `kept`: an example was written for it (accepted, or in baseline
        mode solved by the strong side). Means are over every stored rollout score of the
        round (as in its example); a side with no scores is skipped."""
        self.rounds += 1
        self.decisions[r["decision"]] += 1
        spent = self.open_rounds.pop((r.get("doc_id"), r.get("round")), None)
        if spent is not None:
            self.by_decision.setdefault(r["decision"], SpendTally()).merge(spent)
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
            self.cached_prompt_tokens += c.get("cached_prompt_tokens") or 0
            self.cache_creation_tokens += c.get("cache_creation_tokens") or 0
        self.cache_savings_usd += c.get("cache_savings_usd") or 0.0
        if c.get("cost_usd") is not None:
            self.priced_calls += 1
            self.cost_usd += c["cost_usd"]
        elif not c.get("error"):
            self.unpriced_calls += 1
        self.by_role.setdefault(c.get("role") or "?", SpendTally()).add(c)
        self.open_rounds.setdefault((c.get("doc_id"), c.get("round")), SpendTally()).add(c)

    def summary(self) -> dict[str, Any]:
        by_decision = {d: self.by_decision[d] for d in DECISIONS if d in self.by_decision}
        unrecorded = SpendTally()
        for spent in self.open_rounds.values():
            unrecorded.merge(spent)
        if unrecorded.calls:
            by_decision[UNRECORDED] = unrecorded
        priced = bool(self.priced_calls)
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
            "cost_usd": round(self.cost_usd, 6) if priced else None,
            "unpriced_calls": self.unpriced_calls,
            "tokens_per_accepted": _ratio(
                self.prompt_tokens + self.completion_tokens, self.accepted
            ),
            "cost_per_accepted": _ratio(self.cost_usd, self.accepted, 6) if priced else None,
            "cached_prompt_tokens": self.cached_prompt_tokens,
            "cache_creation_tokens": self.cache_creation_tokens,
            "cache_savings_usd": round(self.cache_savings_usd, 6) if priced else None,
            "spend_by_role": {k: v.summary(priced) for k, v in self.by_role.items()},
            "spend_by_decision": {k: v.summary(priced) for k, v in by_decision.items()},
            "decisions": {d: self.decisions.get(d, 0) for d in DECISIONS},
        }


UNRECORDED = "unrecorded"
"""The spend-by-decision key of calls with no round record: the preflight probe, and rounds a
stop cut off before they were recorded."""


@dataclass
class SpendTally:
    """Calls, paid tokens and cost of a group of calls (a role, a decision kind, a round)."""

    calls: int = 0
    tokens: int = 0
    cached_prompt_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, c: dict[str, Any]) -> None:
        self.calls += 1
        if not c.get("cached"):
            self.tokens += (c.get("prompt_tokens") or 0) + (c.get("completion_tokens") or 0)
            self.cached_prompt_tokens += c.get("cached_prompt_tokens") or 0
        self.cost_usd += c.get("cost_usd") or 0.0

    def merge(self, other: SpendTally) -> None:
        self.calls += other.calls
        self.tokens += other.tokens
        self.cached_prompt_tokens += other.cached_prompt_tokens
        self.cost_usd += other.cost_usd

    def summary(self, priced: bool) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "tokens": self.tokens,
            "cached_prompt_tokens": self.cached_prompt_tokens,
            "cost_usd": round(self.cost_usd, 6) if priced else None,
        }


def _add_mean(acc: list[float], scores: list[float] | None) -> None:
    if scores:
        acc[0] += fmean(scores)
        acc[1] += 1


def _ratio(a: float, b: int, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


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
            f"{_fmt(s['mean_rounds_to_accept'])} (paper, CS loop: 6.59)",
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
        ("cost per accepted", _per_accepted(s)),
        ("cache savings", _cache_savings(s)),
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


def _per_accepted(s: dict[str, Any]) -> str:
    tokens = s.get("tokens_per_accepted")
    if tokens is None:
        return "- (nothing accepted)"
    cost = s.get("cost_per_accepted")
    if cost is None:
        return f"{tokens:,.0f} tokens (no prices: set input_cost_per_token per model for USD)"
    return f"${cost:,.4f} ({tokens:,.0f} tokens)"


def _cache_savings(s: dict[str, Any]) -> str:
    read, made = s.get("cached_prompt_tokens", 0), s.get("cache_creation_tokens", 0)
    share = read / max(1, s.get("prompt_tokens", 0))
    what = f"{read:,} prompt tokens read from the provider's cache, {share:.1%} of them"
    if made:
        what += f", {made:,} written to it"
    saved = s.get("cache_savings_usd")
    return what if saved is None else f"${saved:,.4f} ({what})"


def format_spend(s: dict[str, Any]) -> str:
    """Spend per role and per decision kind, and what the rounds that were too easy cost:
    USD with prices, tokens alongside (on the free simulator the tokens are the figure)."""
    priced = s.get("cost_usd") is not None
    lines = []
    for title, groups in (
        ("role", s.get("spend_by_role") or {}),
        ("decision", s.get("spend_by_decision") or {}),
    ):
        lines += _spend_table(f"spend by {title}", groups, priced)
        lines.append("")
    easy = (s.get("spend_by_decision") or {}).get("too_easy")
    if easy:
        lines.append(f"spent on rounds that were too easy: {_spent(easy, s, priced)}")
    else:
        lines.append("spent on rounds that were too easy: nothing (no round was too easy)")
    return "\n".join(lines)


def _spend_table(title: str, groups: dict[str, dict[str, Any]], priced: bool) -> list[str]:
    total = sum((g["cost_usd"] or 0.0) if priced else g["tokens"] for g in groups.values())
    lines = [f"{title:<20}  {'calls':>6}  {'tokens':>11}  {'cost':>10}  {'share':>6}"]
    for name, g in groups.items():
        part = (g["cost_usd"] or 0.0) if priced else g["tokens"]
        cost = f"${g['cost_usd']:,.4f}" if priced and g["cost_usd"] is not None else "-"
        share = part / total if total else 0.0
        lines.append(f"{name:<20}  {g['calls']:>6,}  {g['tokens']:>11,}  {cost:>10}  {share:6.1%}")
    if not priced:
        lines.append("(no prices: shares are of tokens)")
    return lines


def _spent(g: dict[str, Any], s: dict[str, Any], priced: bool) -> str:
    tokens_total = sum(x["tokens"] for x in (s.get("spend_by_decision") or {}).values()) or 1
    tokens = f"{g['tokens']:,} tokens, {g['tokens'] / tokens_total:.1%} of the tokens"
    if not priced or g.get("cost_usd") is None:
        return f"{tokens} (no prices)"
    cost_total = s.get("cost_usd") or 0.0
    share = f", {g['cost_usd'] / cost_total:.1%} of the cost" if cost_total else ""
    return f"${g['cost_usd']:,.4f}{share} ({tokens})"


SPEND_FIELDS = (
    "tokens_per_accepted",
    "cost_per_accepted",
    "cached_prompt_tokens",
    "cache_creation_tokens",
    "cache_savings_usd",
    "spend_by_role",
    "spend_by_decision",
)
"""The summary fields summed from calls and rounds for cost reporting (recounted from the
records for summaries written before them)."""


def format_decisions(s: dict[str, Any]) -> str:
    total = max(1, s["rounds"])
    lines = ["decision            rounds   share"]
    for d, n in s["decisions"].items():
        lines.append(f"{d:<18}  {n:>6}  {n / total:6.1%}")
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
