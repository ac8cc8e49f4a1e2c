"""`workbench check`: the preflight probe on its own, as a table; nothing written but the
structured-output memory."""

from __future__ import annotations

import argparse
import sys

from workbench.cli._args import add_config_options

HELP = "send one tiny request per model endpoint: key, model name, structured output, latency"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="start from a bundled config: sim (default), local, local-served, sim-served",
    )
    add_config_options(parser, "override a config value by dotted key (repeatable)")


def handle(args: argparse.Namespace) -> int:
    from workbench.config import load_config
    from workbench.model import check_models, format_table, probe

    base = None
    if args.profile:
        from workbench.config import profile

        base = profile(args.profile)
    config = load_config(args.config, list(args.sets), base=base)
    check_models(config, probe_endpoints=False)  # keys and names: one line, before any request
    result = probe(config)
    if not result.results:
        print("nothing to probe: every model runs in-process (sim/, local/)")
        return 0
    print(format_table(result.results))
    message = result.error()
    if message is not None:
        print(f"workbench: error: {message}", file=sys.stderr)
        return 2
    return 0
