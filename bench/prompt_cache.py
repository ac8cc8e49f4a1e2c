"""How much of what the loop sends is a prefix the provider has just seen, and what that saves.

    python bench/prompt_cache.py [--seeds N] [--chunk-tokens T] [--anthropic M] [--openai M]

Runs the loop on the simulator over the long bundled text (examples/long/us-constitution.txt,
split with `documents.chunk_tokens`), every model with `cache_prompt` on, and records every
request as it is sent (messages, with their `cache_control` blocks). From those requests:

- reusable prompt tokens: per request, the longest prefix of its prompt that an earlier request
  to the same model sent within the previous 5 minutes (request order on the run's wall clock;
  the simulator answers at once, so no earlier request of a run falls out of the window); by role;
- cost per accepted example with every role priced as one Anthropic model and as one OpenAI
  model from LiteLLM's cost map: without caching (every prompt token at the input price); with
  caching as each provider bills it (Anthropic: the prefix up to a `cache_control` block read
  at `cache_read_input_token_cost` when sent before, else written at
  `cache_creation_input_token_cost`, only from 1024 tokens on; OpenAI: automatic, the common
  prefix from 1024 tokens on in steps of 128 at `cache_read_input_token_cost`); and with the
  batch engine (the cost map's `*_batches` prices, else 0.5x), caching included.

Tokens are the simulator's (characters / 4), as its usage reports them.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import hashlib
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from workbench.engines import arun
from workbench.model import Reply, litellm_backend
from workbench.providers.sim._respond import tokens

ROOT = Path(__file__).resolve().parent.parent
LONG = ROOT / "examples" / "long" / "us-constitution.txt"
WINDOW_S = 300.0
MIN_CACHED = 1024
"""Shortest prefix either provider caches, in tokens (Claude Sonnet/Opus; OpenAI)."""
OPENAI_STEP = 128
ROLES = ("challenger", "verifier", "weak", "strong", "judge")


@dataclass
class Sent:
    model: str
    text: str
    """The whole prompt as the provider reads it: every message's role and text, in order."""
    marks: list[int]
    """Character offsets in `text` where a `cache_control` block ends."""
    ts: float
    prompt_tokens: int
    completion_tokens: int


@dataclass
class Recorder:
    offset: float = 0.0
    """Added to every timestamp: runs of different seeds are hours apart, never sharing a cache."""
    sent: list[Sent] = field(default_factory=list)

    async def __call__(self, **request) -> Reply:
        text, marks = "", []
        for m in request["messages"]:
            text += f"\n<<{m['role']}>>\n"
            content = m["content"]
            for block in content if isinstance(content, list) else [content]:
                piece = block.get("text", "") if isinstance(block, dict) else str(block)
                text += piece
                if isinstance(block, dict) and "cache_control" in block:
                    marks.append(len(text))
        ts = time.monotonic() + self.offset
        reply = await litellm_backend(**request)
        self.sent.append(
            Sent(
                request["model"].removeprefix("sim/"),
                text,
                marks,
                ts,
                reply.prompt_tokens or tokens(text),
                reply.completion_tokens or 0,
            )
        )
        return reply


def common(a: str, b: str) -> int:
    """Length of the longest common prefix of `a` and `b`."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slices: C-speed compares
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def reusable(sent: list[Sent]) -> list[int]:
    """Per request, the characters of its longest prefix sent to its model within the window:
    the best match among sorted earlier prompts is a neighbour of where it would sort."""
    seen: dict[str, list[tuple[str, float]]] = defaultdict(list)
    out = []
    for s in sent:
        earlier = [(t, ts) for t, ts in seen[s.model] if s.ts - ts <= WINDOW_S]
        seen[s.model] = earlier
        texts = [t for t, _ in earlier]
        i = bisect.bisect_left(texts, s.text)
        best = max((common(s.text, texts[j]) for j in (i - 1, i) if 0 <= j < len(texts)), default=0)
        out.append(best)
        bisect.insort(seen[s.model], (s.text, s.ts))
    return out


def share_tokens(s: Sent, chars: int) -> int:
    """`chars` leading characters of a request, in its reported prompt tokens."""
    return round(s.prompt_tokens * chars / max(1, len(s.text)))


def price(name: str) -> dict[str, float]:
    from workbench.model.backends import get_litellm

    entry = get_litellm().model_cost[name]
    p = {
        "input": entry["input_cost_per_token"],
        "output": entry["output_cost_per_token"],
        "read": entry.get("cache_read_input_token_cost", entry["input_cost_per_token"]),
        "write": entry.get("cache_creation_input_token_cost", entry["input_cost_per_token"]),
    }
    for key in list(p):
        batch = {
            "input": "input_cost_per_token_batches",
            "output": "output_cost_per_token_batches",
            "read": "cache_read_input_token_cost_batches",
            "write": "cache_creation_input_token_cost_batches",
        }[key]
        p[f"batch_{key}"] = entry.get(batch, p[key] * 0.5)
    return p


def anthropic_cost(sent: list[Sent], p: dict[str, float], batch: bool) -> tuple[float, float]:
    """(cost without caching, cost with caching) as Anthropic bills the marked prefixes."""
    k = "batch_" if batch else ""
    cached: dict[tuple[str, str], float] = {}
    plain = with_cache = 0.0
    for s in sent:
        out = s.completion_tokens * p[f"{k}output"]
        plain += s.prompt_tokens * p[f"{k}input"] + out
        marks = [m for m in s.marks if share_tokens(s, m) >= MIN_CACHED]
        read_to = 0
        for m in marks:
            key = (s.model, hashlib.sha256(s.text[:m].encode()).hexdigest())
            if key in cached and s.ts - cached[key] <= WINDOW_S:
                read_to = m
        written_to = max(marks, default=read_to)
        for m in marks:  # a hit refreshes, a write creates: every marked prefix is cached now
            cached[(s.model, hashlib.sha256(s.text[:m].encode()).hexdigest())] = s.ts
        read = share_tokens(s, read_to)
        written = share_tokens(s, max(written_to, read_to)) - read
        rest = s.prompt_tokens - read - written
        with_cache += read * p[f"{k}read"] + written * p[f"{k}write"] + rest * p[f"{k}input"] + out
    return plain, with_cache


def openai_cost(
    sent: list[Sent], prefix: list[int], p: dict[str, float], batch: bool
) -> tuple[float, float]:
    """(cost without caching, cost with caching) as OpenAI bills its automatic prefix cache."""
    k = "batch_" if batch else ""
    plain = with_cache = 0.0
    for s, chars in zip(sent, prefix, strict=True):
        out = s.completion_tokens * p[f"{k}output"]
        plain += s.prompt_tokens * p[f"{k}input"] + out
        common_tokens = share_tokens(s, chars)
        hit = 0
        if common_tokens >= MIN_CACHED:
            hit = MIN_CACHED + (common_tokens - MIN_CACHED) // OPENAI_STEP * OPENAI_STEP
        with_cache += hit * p[f"{k}read"] + (s.prompt_tokens - hit) * p[f"{k}input"] + out
    return plain, with_cache


async def run_once(seed: int, chunk_tokens: int, out: Path, recorder: Recorder) -> int:
    models = {
        role: {"model": f"sim/{role}", "cache_prompt": True}
        for role in ("challenger", "verifier", "weak", "strong", "judge")
    }
    models["challenger"]["max_tokens"] = 2048
    models["verifier"]["max_tokens"] = 256
    for role in ("weak", "strong", "judge"):
        models[role]["max_tokens"] = 512
    run = await arun(
        [LONG],
        {
            "seed": seed,
            "cache": {"enabled": False},
            "documents": {"chunk_tokens": chunk_tokens},
            "models": models,
        },
        out=out,
        backend=recorder,
    )
    return run.summary["accepted"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--chunk-tokens", type=int, default=6000)
    parser.add_argument("--anthropic", default="claude-sonnet-4-5-20250929")
    parser.add_argument("--openai", default="gpt-4.1")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-prompt-cache-"))
    sent: list[Sent] = []
    accepted = 0
    t0 = time.monotonic()
    for seed in range(args.seeds):
        recorder = Recorder(offset=seed * 100 * WINDOW_S)
        accepted += await run_once(seed, args.chunk_tokens, root / f"run-{seed}", recorder)
        sent += recorder.sent
    wall = time.monotonic() - t0
    prefix = reusable(sent)
    total = sum(s.prompt_tokens for s in sent)
    reused = sum(share_tokens(s, c) for s, c in zip(sent, prefix, strict=True))
    print(
        f"simulator, {LONG.name} in sections of {args.chunk_tokens} tokens x {args.seeds} seeds: "
        f"{len(sent)} requests, {total:,} prompt tokens, {accepted} accepted, {wall:.0f} s wall"
    )
    print("window: 5 minutes in request order on the run's wall clock (no request fell out)")
    print(f"reusable prompt tokens: {100 * reused / max(1, total):.1f} %")
    for role in ROLES:
        rows = [(s, c) for s, c in zip(sent, prefix, strict=True) if s.model == role]
        role_total = sum(s.prompt_tokens for s, _ in rows)
        role_reused = sum(share_tokens(s, c) for s, c in rows)
        print(
            f"  {role:10s} {100 * role_reused / max(1, role_total):5.1f} % of "
            f"{role_total:>9,} prompt tokens ({100 * role_total / max(1, total):4.1f} % of all)"
        )
    print("cost per accepted example (USD), every role priced as one model:")
    print(
        f"  {'pricing':32s} {'no cache':>10s} {'cache':>10s} {'ratio':>6s} {'batch':>10s} {'ratio':>6s}"
    )
    floors: list[str] = []
    for label, name, fn in (
        ("anthropic", args.anthropic, lambda p, b: anthropic_cost(sent, p, b)),
        ("openai", args.openai, lambda p, b: openai_cost(sent, prefix, p, b)),
    ):
        p = price(name)
        plain, cached = fn(p, False)
        _, batched = fn(p, True)
        n = max(1, accepted)
        floors.append(
            f"  {label}: prompt tokens are {100 * prompt_cost(sent, p) / plain:.0f} % of the cost "
            f"without caching; every reusable token read at the cache price would give "
            f"{best_ratio(sent, prefix, p, plain):.2f}"
        )
        print(
            f"  {label + ' ' + name:32s} {plain / n:10.5f} {cached / n:10.5f} "
            f"{cached / plain:6.2f} {batched / n:10.5f} {batched / cached:6.2f}"
        )
    print("why the ratio is what it is (completions are never cached):")
    print("\n".join(floors))


def prompt_cost(sent: list[Sent], p: dict[str, float]) -> float:
    return sum(s.prompt_tokens for s in sent) * p["input"]


def best_ratio(sent: list[Sent], prefix: list[int], p: dict[str, float], plain: float) -> float:
    """The cached/uncached ratio if every reusable token were a cache read (no minimum length,
    no write premium): the floor the token mix allows."""
    saved = sum(share_tokens(s, c) for s, c in zip(sent, prefix, strict=True))
    return (plain - saved * (p["input"] - p["read"])) / plain


if __name__ == "__main__":
    asyncio.run(main())
