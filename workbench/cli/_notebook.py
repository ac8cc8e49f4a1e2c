"""`workbench notebook`: a bundled notebook run headless with papermill, and its HTML report."""

from __future__ import annotations

import argparse

HELP = "run a notebook headless (papermill) and write an HTML report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name",
        metavar="NAME",
        help="quickstart, prompt_tuning, gap_analysis, threshold_explorer, meta_optimization "
        "(or with their number, e.g. 03_gap_analysis), or a path to a notebook",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        dest="params",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="notebook parameter (JSON values parse, else string)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="where the executed notebook and report go (default: reports/<time>-<notebook>, "
        "e.g. reports/20261126-101500-03_gap_analysis)",
    )
    parser.add_argument("--no-html", action="store_true", help="skip the HTML report")


def handle(args: argparse.Namespace) -> int:
    import json

    from workbench.notebook import run_notebook

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
