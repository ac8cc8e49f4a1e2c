"""`workbench filter RUN_DIR`: the final filter over a run's accepted examples.

Exit codes: 0 done (also for a run with no accepted examples: 0 -> 0); 3 the re-verification
stopped (budget, circuit breaker, fatal provider error; no filtered.jsonl written); 2 bad input
(not a run directory, damaged records, a --set it does not take), before any call."""

from __future__ import annotations

import argparse
import sys

HELP = "the final filter: drop accepted examples with reference leakage, short contexts or malformed rubrics, re-verify the rest"
STOPPED = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "exit codes: 0 done; 3 re-verification stopped (budget, breaker, fatal provider error; "
        "nothing written); 2 bad input (before any call)"
    )
    parser.add_argument("run_dir", metavar="RUN_DIR")
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="only the free checks (leakage, short context, rubric): no verifier call",
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a filter or budget setting, e.g. filter.min_context_chars=300 (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def handle(args: argparse.Namespace) -> int:
    from workbench.engines import filter_run
    from workbench.errors import StopRun

    progress = None if args.quiet else (lambda line: print(line, file=sys.stderr))
    try:
        done = filter_run(
            args.run_dir,
            sets=args.sets,
            verify=False if args.no_verify else None,
            progress=progress,
        )
    except StopRun as exc:
        print(
            f"workbench: filter stopped ({exc.status}): {exc.reason}; nothing written (the calls "
            "made are cached: filter again, e.g. with a higher --set budget.usd, pays only for "
            "the rest)",
            file=sys.stderr,
        )
        return STOPPED
    print(done.line())
    print(f"verdicts: {done.path}")
    return 0
