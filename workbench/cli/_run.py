"""`workbench run`: the loop over documents into a run directory (or a resume, or a dry run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli._args import add_config_options

HELP = "run the loop over documents and write a run directory"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "docs",
        nargs="*",
        metavar="DOCS",
        help=".txt/.md files, folders of them, or .jsonl with a `text` field (default: bundled examples)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="start from a bundled config: sim (default), local, local-served, sim-served",
    )
    add_config_options(
        parser,
        "override a config value by dotted key, e.g. acceptance.weak_max=0.4 (repeatable)",
    )
    parser.add_argument(
        "--out",
        metavar="RUN_DIR",
        help="run directory to create (default: <runs folder>/<time>-<mode>; the runs folder "
        "is $WORKBENCH_RUNS_DIR, else ./runs)",
    )
    parser.add_argument(
        "--resume",
        metavar="RUN_DIR",
        help="continue an interrupted or stopped run; with --config/--set only these may change: "
        "budget, concurrency, engine, ray, retry, circuit_breaker, cache, and per model "
        "timeout_s, max_concurrency, rpm, tpm (documents, prompts and everything that decides "
        "what is generated, documents.* included, must be unchanged)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not read or write the call cache"
    )
    parser.add_argument(
        "--engine", choices=["local", "ray"], help="run rounds in this process or on Ray workers"
    )
    parser.add_argument(
        "--address", metavar="ADDR", help="Ray cluster address (default: start a local cluster)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print an upper bound of calls, tokens and cost; call nothing",
    )
    parser.add_argument(
        "--mode",
        choices=["agentic", "baseline"],
        help="agentic loop (default) or single-shot baseline",
    )
    parser.add_argument(
        "--no-probe",
        action="store_true",
        help="skip the preflight probe (one tiny request per endpoint before the run; "
        "see `workbench check`): only a TCP connection to each api_base is tried",
    )
    parser.add_argument("--seed", type=int, help="seed (same as --set seed=N)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def handle(args: argparse.Namespace) -> int:
    import asyncio

    from workbench.cli._progress import TextProgress
    from workbench.config import load_config
    from workbench.engines import arun
    from workbench.errors import ConfigError
    from workbench.records import format_summary

    sets = list(args.sets)
    if args.no_cache:
        sets.append("cache.enabled=false")
    if args.engine:
        sets.append(f"engine={args.engine}")
    if args.address:
        sets.append(f'ray.address="{args.address}"')
    listeners = [] if args.quiet else [_print_probe, TextProgress()]
    if args.resume:
        if args.out or args.profile or args.mode or args.seed is not None or args.dry_run:
            raise ConfigError(
                "--resume continues RUN_DIR as it was: --out, --profile, --mode, --seed and --dry-run do not apply"
            )
        try:
            run = asyncio.run(
                arun(
                    args.docs or None,
                    args.config,
                    sets=sets,
                    resume=args.resume,
                    listeners=listeners,
                )
            )
        except KeyboardInterrupt:
            return _interrupted(Path(args.resume))
        return _finish(run, format_summary)
    if args.mode:
        sets.append(f"mode={args.mode}")
    if args.seed is not None:
        sets.append(f"seed={args.seed}")
    base = None
    if args.profile:
        from workbench.config import profile

        base = profile(args.profile)
    config = load_config(args.config, sets, base=base)
    if args.dry_run:
        from workbench.engines import prepare
        from workbench.loop import format_estimate, upper_bound

        config, documents, prompts, _ = prepare(
            args.docs or None, config, probe_endpoints=False, keys=False
        )
        print(format_estimate(upper_bound(config, documents, prompts)))
        return 0
    from workbench.engines import default_run_dir

    out = Path(args.out) if args.out else default_run_dir(config.mode)
    try:
        run = asyncio.run(
            arun(args.docs or None, config, out=out, listeners=listeners, probe=not args.no_probe)
        )
    except KeyboardInterrupt:
        return _interrupted(out)
    return _finish(run, format_summary)


def _print_probe(kind: str, data: dict) -> None:
    """At the start of a run, the preflight probe's table (when it probed anything)."""
    if kind == "start" and data.get("probe"):
        from workbench.model import ProbeResult, format_table

        print(format_table([ProbeResult(**r) for r in data["probe"]]), file=sys.stderr)


def _interrupted(run_dir: Path) -> int:
    """Ctrl-C: the records so far are kept; say how to go on if the run directory was made."""
    print("\nworkbench: interrupted; records written so far are kept", file=sys.stderr)
    if (run_dir / "config.json").is_file():
        print(f"resume with: workbench run --resume {run_dir}", file=sys.stderr)
    return 130


def _finish(run, format_summary) -> int:
    print(format_summary(run.summary))
    print(f"run directory: {run.dir}")
    if run.summary["status"] != "complete":
        print(
            f"workbench: stopped ({run.summary['status']}): {run.summary['stop_reason']}",
            file=sys.stderr,
        )
        if run.summary["status"] == "fatal_error":
            print(
                f"after fixing the key or the endpoint, resume with: {resume_command(run)} "
                "(a wrong model name needs a new run: the model decides what is generated)",
                file=sys.stderr,
            )
        else:
            print(f"resume with: {resume_command(run)}", file=sys.stderr)
        return 3
    return 0


def resume_command(run) -> str:
    """The command that continues a stopped run; after a budget stop, with a budget that lets
    it go on (twice the one it stopped at), since resuming with the same budget stops again."""
    command = f"workbench run --resume {run.dir}"
    if run.summary.get("status") != "budget":
        return command
    header = run.header
    budget = dict(header.get("config", {}).get("budget") or {})
    for note in header.get("resumes", []):  # a resume may have changed the budget
        budget = dict(note.get("config", {}).get("budget") or budget)
    raised = []
    if budget.get("tokens"):
        raised.append(f"--set budget.tokens={2 * int(budget['tokens'])}")
    if budget.get("usd"):
        raised.append(f"--set budget.usd={2 * float(budget['usd']):g}")
    hint = " ".join(raised) or "--set budget.tokens=<higher> --set budget.usd=<higher>"
    return f"{command} {hint}  (a higher budget; the same one stops again)"
