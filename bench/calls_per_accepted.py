"""Calls and tokens per accepted example, for four loop variants, on the simulator.

    python bench/calls_per_accepted.py [--seeds N]

(a) naive: verifier, every weak and strong rollout and judge, every round;
(b) weak-first gating; (c) plus early stopping; (d) plus one judge call per
answer instead of one per criterion (the default). The four must accept the
same examples (checked); only the calls they spend differ. Prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from workbench.engines import arun

VARIANTS = {
    "(a) naive": {
        "efficiency": {"gating": False, "early_stop": False},
        "judge_mode": "per_criterion",
    },
    "(b) gating": {
        "efficiency": {"gating": True, "early_stop": False},
        "judge_mode": "per_criterion",
    },
    "(c) + early stop": {
        "efficiency": {"gating": True, "early_stop": True},
        "judge_mode": "per_criterion",
    },
    "(d) + judge per answer": {
        "efficiency": {"gating": True, "early_stop": True},
        "judge_mode": "per_answer",
    },
}


async def measure(name: str, config: dict, seeds: int, root: Path) -> dict:
    calls = tokens = accepted = 0
    kept = set()
    for seed in range(seeds):
        run = await arun(
            None,
            {**config, "seed": seed, "cache": {"enabled": False}},
            out=root / f"{name[:3]}-{seed}",
        )
        calls += run.summary["calls"]
        tokens += run.summary["tokens"]
        accepted += run.summary["accepted"]
        kept |= {(seed, e["id"], e["question"]) for e in run.records("accepted")}
    return {"calls": calls, "tokens": tokens, "accepted": accepted, "kept": kept}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-calls-"))
    rows = {name: await measure(name, cfg, args.seeds, root) for name, cfg in VARIANTS.items()}
    base = rows["(a) naive"]
    same = {name: r["kept"] == base["kept"] for name, r in rows.items()}
    print(f"simulator, 8 bundled documents x {args.seeds} seeds")
    print(
        "accepted set equal to (a)'s: "
        + ", ".join(f"{n[:3]} {'yes' if ok else 'no'}" for n, ok in same.items())
    )
    print(
        f"{'variant':24s} {'accepted':>8s} {'calls/accepted':>15s} {'tokens/accepted':>16s} {'calls vs (a)':>13s}"
    )
    for name, r in rows.items():
        per_call = r["calls"] / r["accepted"]
        print(
            f"{name:24s} {r['accepted']:8d} {per_call:15.1f} {r['tokens'] / r['accepted']:16,.0f} "
            f"{r['calls'] / base['calls']:13.2f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
