"""`workbench export`: accepted examples as training data (sft, grpo, hf, parquet)."""

from __future__ import annotations

import argparse

from workbench.cli._args import dedup_threshold

HELP = "export accepted examples for training (sft, grpo, hf, parquet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR")
    parser.add_argument("--format", required=True, choices=["sft", "grpo", "hf", "parquet"])
    parser.add_argument("--out", required=True, metavar="PATH")
    parser.add_argument(
        "--dedup",
        type=dedup_threshold,
        default=0.8,
        metavar="J",
        help="drop questions with word-3-gram Jaccard >= J to an earlier one, J in (0, 1] "
        "(1 = keep all; default: 0.8)",
    )
    parser.add_argument(
        "--include-rejected",
        action="store_true",
        help="keep examples a reviewer rejected (reviews.jsonl); by default they are dropped",
    )
    parser.add_argument(
        "--all-accepted",
        action="store_true",
        help="export every accepted example, also those the final filter (workbench filter, "
        "filtered.jsonl) did not retain; by default a filtered run exports its retained ones",
    )


def handle(args: argparse.Namespace) -> int:
    from workbench.datasets import export

    done = export(
        args.run_dir,
        args.format,
        args.out,
        None if args.dedup >= 1 else args.dedup,
        include_rejected=args.include_rejected,
        all_accepted=args.all_accepted,
    )
    if done.used == "retained":
        source = f"the final filter's retained set, {done.filter_removed} not retained left out"
    else:
        source = "every accepted example"
    print(
        f"{done.rows} examples ({source}) -> {done.path} ({done.rejected_removed} rejected in review, "
        f"{done.duplicates_removed} near-duplicates removed); card: {done.card}"
    )
    return 0
