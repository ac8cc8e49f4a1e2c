"""`workbench audit-judge`: measure the judge on answers of known worth before spending on a run.

Exit codes: 0 the judge passed, 4 it failed (the table says why), 3 the audit stopped early
(budget, circuit breaker, fatal provider error), 2 bad input (before any call)."""

from __future__ import annotations

import argparse
import sys

from workbench.cli._args import add_config_options, at_least_one, model_spec

HELP = "measure the judge on a calibration set (reference answers and attacks) from real tasks"
FAILED = 4
"""Exit code of an audit whose verdict is fail."""
STOPPED = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "exit codes: 0 the judge passed, 4 it failed (reasons in the table), 3 stopped early "
        "(budget, circuit breaker, fatal provider error), 2 bad input (before any call)"
    )
    parser.add_argument(
        "source",
        nargs="*",
        metavar="RUN_DIR | DOCS",
        help="a run directory (its tasks, accepted ones first), or documents the challenger "
        "writes tasks from (default: the bundled examples)",
    )
    parser.add_argument(
        "--judge",
        metavar="MODEL",
        help="the judge to audit: a LiteLLM model string or a .json/.toml/.yaml spec file "
        "(default: the config's models.judge; for a run directory, the run's)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="start from a bundled config: sim (default), local, local-served, sim-served",
    )
    add_config_options(parser, "override a config value by dotted key, e.g. audit.tasks=3")
    parser.add_argument(
        "--tasks",
        type=at_least_one,
        metavar="N",
        help="calibration tasks (default: audit.tasks, 5)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="for documents: the audit directory to create (default: <runs folder>/<time>-audit)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def handle(args: argparse.Namespace) -> int:
    import asyncio

    from workbench.audit import audit_judge, format_table
    from workbench.errors import ConfigError

    config = args.config
    if args.profile:
        from workbench.config import load_config, profile

        if args.config is not None:
            config = load_config(args.config, None, base=profile(args.profile))
        else:
            config = profile(args.profile)
    judge = model_spec(args.judge) if args.judge else None
    if args.out and any(_is_run_dir(s) for s in args.source):
        raise ConfigError("--out is for documents: a run directory's audit goes into it")
    progress = None if args.quiet else (lambda line: print(line, file=sys.stderr))
    report = asyncio.run(
        audit_judge(
            args.source or None,
            config,
            sets=args.sets,
            judge_spec=judge,
            tasks=args.tasks,
            out=args.out,
            progress=progress,
        )
    )
    print(format_table(report))
    print(f"report: {report['path']}")
    if report["status"] != "complete":
        print(
            f"workbench: audit stopped ({report['status']}): {report['stop_reason']}",
            file=sys.stderr,
        )
        return STOPPED
    return 0 if report["verdict"] == "pass" else FAILED


def _is_run_dir(path: str) -> bool:
    from pathlib import Path

    return (Path(path) / "config.json").is_file()
