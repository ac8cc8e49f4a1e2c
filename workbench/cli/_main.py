"""`workbench` command line. Heavy imports happen inside each command, so --help is instant."""

from __future__ import annotations

import argparse
import sys

from workbench._version import __version__
from workbench.cli import (
    _audit,
    _cache,
    _check,
    _eval,
    _evolve,
    _export,
    _filter,
    _notebook,
    _repair,
    _report,
    _run,
    _serve,
)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (the usage itself is one `--help` away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workbench",
        description="Agentic synthetic-data generation: challenger, weak and strong solvers, judge.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, command in COMMANDS.items():
        command.add_arguments(sub.add_parser(name, help=command.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["run"]:
        _run.stop_early()  # a SIGTERM while starting up is one line too, not a silent death
    args = build_parser().parse_args(argv)
    from workbench.errors import WorkbenchError

    try:
        return COMMANDS[args.command].handle(args)
    except WorkbenchError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nworkbench: interrupted; records written so far are kept", file=sys.stderr)
        return 130


COMMANDS = {
    "run": _run,
    "report": _report,
    "repair": _repair,
    "serve": _serve,
    "check": _check,
    "export": _export,
    "filter": _filter,
    "eval": _eval,
    "audit-judge": _audit,
    "evolve": _evolve,
    "notebook": _notebook,
    "cache": _cache,
}
