"""`workbench` command line. Heavy imports happen inside each command, so --help is instant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Agentic synthetic-data generation: challenger, weak and strong solvers, judge.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser("run", help="run the loop over documents and write a run directory")
    run.add_argument(
        "docs",
        nargs="*",
        metavar="DOCS",
        help=".txt/.md files, folders of them, or .jsonl with a `text` field (default: bundled examples)",
    )
    run.add_argument("--config", metavar="FILE", help="config file (.json, .toml or .yaml)")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value by dotted key, e.g. acceptance.weak_max=0.4 (repeatable)",
    )
    run.add_argument(
        "--out", metavar="RUN_DIR", help="run directory to create (default: runs/<time>-<mode>)"
    )
    run.add_argument(
        "--mode",
        choices=["agentic", "baseline"],
        help="agentic loop (default) or single-shot baseline",
    )
    run.add_argument("--seed", type=int, help="seed (same as --set seed=N)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    report = sub.add_parser("report", help="summarise a run directory")
    report.add_argument("run_dir", metavar="RUN_DIR")

    nb = sub.add_parser(
        "notebook", help="run a notebook headless (papermill) and write an HTML report"
    )
    nb.add_argument(
        "name",
        metavar="NAME",
        help="quickstart, prompt_tuning, gap_analysis, threshold_explorer, or a path",
    )
    nb.add_argument(
        "-p",
        "--parameter",
        dest="params",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="notebook parameter (JSON values parse, else string)",
    )
    nb.add_argument(
        "--out",
        metavar="DIR",
        help="where the executed notebook and report go (default: reports/<time>-NAME)",
    )
    nb.add_argument("--no-html", action="store_true", help="skip the HTML report")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from workbench.errors import WorkbenchError

    try:
        return COMMANDS[args.command](args)
    except WorkbenchError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nworkbench: interrupted; records written so far are kept", file=sys.stderr)
        return 130


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio

    from workbench.api import arun, prepare
    from workbench.progress import TextProgress
    from workbench.summary import format_summary

    sets = list(args.sets)
    if args.mode:
        sets.append(f"mode={args.mode}")
    if args.seed is not None:
        sets.append(f"seed={args.seed}")
    config, documents, _, warnings = prepare(args.docs or None, args.config, sets)
    for warning in warnings:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    listeners = [] if args.quiet else [TextProgress(len(documents))]
    run = asyncio.run(arun(documents, config, out=args.out, listeners=listeners))
    print(format_summary(run.summary))
    print(f"run directory: {run.dir}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from workbench.runs import load_run
    from workbench.summary import format_decisions, format_summary

    run = load_run(Path(args.run_dir))
    print(format_summary(run.summary))
    print()
    print(format_decisions(run.summary))
    return 0


def cmd_notebook(args: argparse.Namespace) -> int:
    import json

    from workbench.reports import run_notebook

    params = {}
    for key, raw in args.params:
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    executed, report = run_notebook(args.name, params, args.out, html=not args.no_html)
    print(f"executed notebook: {executed}")
    if report:
        print(f"HTML report: {report}")
    return 0


COMMANDS = {"run": cmd_run, "report": cmd_report, "notebook": cmd_notebook}

if __name__ == "__main__":
    sys.exit(main())
