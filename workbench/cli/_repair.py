"""`workbench repair RUN_DIR`: set damaged record lines aside, rebuild the derived files."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "set damaged lines of a run directory aside and rebuild accepted.jsonl and summary.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR")


def handle(args: argparse.Namespace) -> int:
    from workbench.engines import repair_run

    for line in repair_run(Path(args.run_dir)).lines():
        print(line)
    return 0
