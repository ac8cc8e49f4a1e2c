"""`workbench run`: the loop over documents into a run directory (or a resume, or a dry run)."""

from __future__ import annotations

import argparse
import os
import signal
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
        help="print an upper bound and the expected calls, tokens and cost; call nothing",
    )
    parser.add_argument(
        "--pilot",
        metavar="RUN_DIR",
        help="with --dry-run: take the expected figures from this earlier run's measured rounds, "
        "calls, tokens and cache share (default: a prior from the bundled simulator run)",
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


class _Signalled(Exception):
    """SIGTERM or SIGHUP while the command starts up (before the run's own handlers)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.name = signal.Signals(signum).name
        self.code = 128 + signum


def stop_early() -> None:
    """From the first moment of `workbench run`: SIGTERM and SIGHUP end it in one line too
    (the run's own handlers, `engines.until_signal`, take over once it starts)."""

    def early(signum, frame):
        raise _Signalled(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, early)


def handle(args: argparse.Namespace) -> int:
    stop_early()
    try:
        return _handle(args)
    except _Signalled as exc:
        run_dir = args.resume or args.out
        return _interrupted(Path(run_dir) if run_dir else None, exc.name, exc.code)


def _handle(args: argparse.Namespace) -> int:
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
        coro = arun(
            args.docs or None, args.config, sets=sets, resume=args.resume, listeners=listeners
        )
        return _run(coro, Path(args.resume), format_summary)
    if args.pilot and not args.dry_run:
        raise ConfigError("--pilot RUN_DIR goes with --dry-run (it only informs the estimate)")
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
        from workbench.loop import PRIOR, expected, format_estimate, format_expected, upper_bound

        pilot = _pilot(args.pilot) if args.pilot else PRIOR
        config, documents, prompts, _ = prepare(
            args.docs or None, config, probe_endpoints=False, keys=False
        )
        print(format_estimate(upper_bound(config, documents, prompts)))
        print(format_expected(expected(config, documents, prompts, pilot, fallback=PRIOR)))
        _print_audit_hint(config, args)
        return 0
    from workbench.engines import default_run_dir

    out = Path(args.out) if args.out else default_run_dir(config.mode)
    # Once every check has passed (bad input stays one line), as the run starts.
    hint = [lambda kind, data: kind == "start" and _print_audit_hint(config, args)]
    coro = arun(
        args.docs or None, config, out=out, listeners=hint + listeners, probe=not args.no_probe
    )
    return _run(coro, out, format_summary)


def _pilot(run_dir: str):
    """A pilot run's measured rates (RunDirError, one line, if it is not a readable run)."""
    from workbench.errors import RunDirError
    from workbench.loop import measure
    from workbench.records import load_run

    run = load_run(run_dir)
    rounds = run.records("rounds")
    if not rounds:
        raise RunDirError(f"--pilot {run_dir}: the run has no rounds to measure")
    return measure(run.records("calls"), rounds, run.header.get("config", {}), str(run.dir))


def _run(coro, run_dir: Path, format_summary) -> int:
    """The run to its end or its stop. Exit codes: 0 complete; 3 stopped, resumable (budget,
    breaker, failing, fatal_error, io_error: a full disk or another write error); 130, 143, 129
    stopped by SIGINT, SIGTERM, SIGHUP (resumable); 2 bad input, refused before anything."""
    import asyncio
    import warnings

    from workbench.engines import Stopped, until_signal
    from workbench.errors import StopRun

    # A stop cancels calls in flight; LiteLLM may drop a coroutine it made for one unawaited,
    # and Python's warning about that (harmless) would bury the one line that says what to do.
    warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)

    try:
        run = asyncio.run(until_signal(coro))
    except Stopped as exc:
        # Everything is written and closed: exit now, so a further signal never meets an
        # interpreter winding down (which would die of it instead of exiting with `code`).
        code = _interrupted(run_dir, exc.name, exc.code)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    except KeyboardInterrupt:  # before the run's own handlers were in place
        return _interrupted(run_dir, "SIGINT", 130)
    except StopRun as exc:  # the run directory cannot be written (io_error): one line
        print(f"workbench: stopped: {exc}", file=sys.stderr)
        return 3
    return _finish(run, format_summary)


def _print_audit_hint(config, args: argparse.Namespace) -> None:
    """One line when the judge is not the simulator and has no passing audit on record (after
    the free checks: a dry run's estimate, or a run's start)."""
    import shlex

    from workbench.audit import audit_hint, read_audits, registry_path

    command = ["workbench", "audit-judge"]
    if args.profile:
        command += ["--profile", args.profile]
    if args.config:
        command += ["--config", args.config]
    for value in args.sets:
        command += ["--set", value]
    audits = read_audits(registry_path(config.cache.path))
    panel = config.models.panel
    for spec in config.models.specs("judge"):
        member = command + ["--judge", spec.model] if panel else command
        line = audit_hint(spec, audits, shlex.join(member))
        if line:
            print(line, file=sys.stderr)


def _print_probe(kind: str, data: dict) -> None:
    """At the start of a run, the preflight probe's table (when it probed anything)."""
    if kind == "start" and data.get("probe"):
        from workbench.model import ProbeResult, format_table

        print(format_table([ProbeResult(**r) for r in data["probe"]]), file=sys.stderr)


def _interrupted(run_dir: Path | None, name: str, code: int) -> int:
    """Stopped by a signal: the records so far are kept; one line saying how to go on (when
    the run directory was made: it is made whole or not at all)."""
    what = "interrupted" if name == "SIGINT" else f"stopped by {name}"
    if run_dir is not None and (run_dir / "config.json").is_file():
        line = f"records written so far are kept; resume with: workbench run --resume {run_dir}"
    else:
        line = "nothing was written"
    print(f"\nworkbench: {what}; {line}", file=sys.stderr)
    return code


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
