"""The local profile on CPU: decode speed, seconds per round, and the weak/strong gap.

    python bench/local_profile.py [--docs N] [--rollouts K]

Runs SmolLM2-135M (the bundled model) in every role, in baseline mode so both
solvers answer every question, twice: once with the strong solver given the
challenger's reference answer as notes (the local profile), once without.
Concurrency 1, so each call's latency is its own generation time. Needs the
`local` extra. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import workbench
from workbench.config import local

DOCS = Path(__file__).resolve().parents[1] / "examples" / "docs"


def measure(privileged: bool, docs: list[Path], rollouts: int, out: Path) -> dict:
    config = {
        **local(),
        "mode": "baseline",
        "rollouts": rollouts,
        "concurrency": 1,
        "strong_sees_reference": privileged,
        "cache": {"enabled": False},
        "acceptance": {"preset": "autodata"},
    }
    started = time.perf_counter()
    run = workbench.run(docs, config, out=out)
    wall = time.perf_counter() - started
    calls = [c for c in run.records("calls") if not c["error"]]
    rounds = run.records("rounds")
    solved = [r for r in rounds if r["weak_scores"] and r["strong_scores"]]
    gen_s = sum(c["latency_s"] for c in calls)
    return {
        "rounds": len(rounds),
        "solved": len(solved),
        "wall_s": wall,
        "s_per_round": wall / max(1, len(rounds)),
        "completion_tokens": sum(c["completion_tokens"] for c in calls),
        "prompt_tokens": sum(c["prompt_tokens"] for c in calls),
        "decode_tok_s": sum(c["completion_tokens"] for c in calls) / gen_s if gen_s else 0.0,
        "weak_mean": statistics.fmean(r["weak_mean"] for r in solved) if solved else None,
        "strong_mean": statistics.fmean(r["strong_mean"] for r in solved) if solved else None,
        "errors": sum(1 for r in rounds if r["decision"] == "error"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=3)
    parser.add_argument("--rollouts", type=int, default=3)
    args = parser.parse_args()
    docs = [DOCS / f"article-{n}.txt" for n in ("iii", "iv", "v", "vi", "vii", "ii")[: args.docs]]
    root = Path(tempfile.mkdtemp(prefix="bench-local-"))
    rows = {
        name: measure(flag, docs, args.rollouts, root / name)
        for name, flag in (("privileged strong", True), ("plain strong", False))
    }
    print(
        f"local profile (SmolLM2-135M Q4_1, llama.cpp, CPU), {args.docs} documents x {args.rollouts} rollouts, "
        "baseline mode, concurrency 1"
    )
    for name, m in rows.items():
        fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
        print(
            f"  {name:18s} rounds {m['rounds']} (solved {m['solved']}, errors {m['errors']}) | "
            f"{m['s_per_round']:.1f} s/round | decode {m['decode_tok_s']:.1f} tok/s | "
            f"{m['prompt_tokens']:,} prompt + {m['completion_tokens']:,} completion tokens | "
            f"weak {fmt(m['weak_mean'])} strong {fmt(m['strong_mean'])} gap "
            f"{fmt(None if m['weak_mean'] is None else m['strong_mean'] - m['weak_mean'])}"
        )
    print(f"runs kept in {root}")


if __name__ == "__main__":
    main()
