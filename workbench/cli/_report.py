"""`workbench report RUN_DIR`: a run's summary, decisions and spend (per role, per decision
kind, cache savings), every record re-validated."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "summarise a run directory"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR")


def handle(args: argparse.Namespace) -> int:
    from workbench.engines import validate_run
    from workbench.records import format_decisions, format_spend, format_summary, load_run

    run = load_run(Path(args.run_dir))
    validate_run(run.dir, "report")
    run.check()
    print(format_summary(run.summary))
    print()
    print(format_decisions(run.summary))
    print()
    print(format_spend(run.summary))
    return 0
