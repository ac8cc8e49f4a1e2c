"""`workbench eval`: models scored on a rubric benchmark by a judge."""

from __future__ import annotations

import argparse

from workbench.cli._args import model_spec

HELP = "score models on a rubric benchmark (accepted.jsonl or PRBench rows)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bench", metavar="BENCH.jsonl")
    parser.add_argument(
        "--model",
        dest="models",
        action="append",
        required=True,
        metavar="M",
        help="LiteLLM model string, or a .json/.toml file with a model spec (repeatable)",
    )
    parser.add_argument(
        "--judge", required=True, metavar="J", help="judge model (string or spec file)"
    )
    parser.add_argument("--out", metavar="DIR", help="results directory (default: evals/<time>)")
    parser.add_argument(
        "--judge-mode", choices=["per_criterion", "per_answer"], default="per_criterion"
    )
    parser.add_argument("--limit", type=int, help="first N tasks only")
    parser.add_argument("--concurrency", type=int, default=32)


def handle(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from workbench.datasets import evaluate, format_table

    out = args.out or f"evals/{time.strftime('%Y%m%d-%H%M%S')}"
    summary = asyncio.run(
        evaluate(
            args.bench,
            [model_spec(m) for m in args.models],
            model_spec(args.judge),
            out,
            per_criterion=args.judge_mode == "per_criterion",
            concurrency=args.concurrency,
            limit=args.limit,
        )
    )
    table = format_table(summary)
    print(table)
    print(f"results: {out}")
    return 0
