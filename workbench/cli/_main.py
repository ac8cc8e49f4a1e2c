"""`workbench` command line. Heavy imports happen inside each command, so --help is instant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (the usage itself is one `--help` away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    run.add_argument(
        "--profile",
        metavar="NAME",
        help="start from a bundled config: sim (default), local, local-served, sim-served",
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
        "--resume",
        metavar="RUN_DIR",
        help="continue an interrupted or stopped run; with --config/--set only these may change: "
        "budget, concurrency, engine, ray, retry, circuit_breaker, cache, and per model "
        "timeout_s, max_concurrency, rpm, tpm (documents, prompts and everything that decides "
        "what is generated, limits.* included, must be unchanged)",
    )
    run.add_argument("--no-cache", action="store_true", help="do not read or write the call cache")
    run.add_argument(
        "--engine", choices=["local", "ray"], help="run rounds in this process or on Ray workers"
    )
    run.add_argument(
        "--address", metavar="ADDR", help="Ray cluster address (default: start a local cluster)"
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="print an upper bound of calls, tokens and cost; call nothing",
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

    serve = sub.add_parser(
        "serve", help="serve a model over an OpenAI-compatible HTTP API on 127.0.0.1"
    )
    serve.add_argument(
        "--model",
        required=True,
        choices=["sim", "local"],
        help="sim: the simulator; local: SmolLM2-135M through llama.cpp's server",
    )
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: loopback only)"
    )
    serve.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="sim only: fixed delay per request"
    )

    ex = sub.add_parser(
        "export", help="export accepted examples for training (sft, grpo, hf, parquet)"
    )
    ex.add_argument("run_dir", metavar="RUN_DIR")
    ex.add_argument("--format", required=True, choices=["sft", "grpo", "hf", "parquet"])
    ex.add_argument("--out", required=True, metavar="PATH")
    ex.add_argument(
        "--dedup",
        type=_dedup,
        default=0.8,
        metavar="J",
        help="drop questions with word-3-gram Jaccard >= J to an earlier one, J in (0, 1] "
        "(1 = keep all; default: 0.8)",
    )

    ev = sub.add_parser(
        "eval", help="score models on a rubric benchmark (accepted.jsonl or PRBench rows)"
    )
    ev.add_argument("bench", metavar="BENCH.jsonl")
    ev.add_argument(
        "--model",
        dest="models",
        action="append",
        required=True,
        metavar="M",
        help="LiteLLM model string, or a .json/.toml file with a model spec (repeatable)",
    )
    ev.add_argument("--judge", required=True, metavar="J", help="judge model (string or spec file)")
    ev.add_argument("--out", metavar="DIR", help="results directory (default: evals/<time>)")
    ev.add_argument(
        "--judge-mode", choices=["per_criterion", "per_answer"], default="per_criterion"
    )
    ev.add_argument("--limit", type=int, help="first N tasks only")
    ev.add_argument("--concurrency", type=int, default=32)

    evo = sub.add_parser(
        "evolve", help="meta-optimize the challenger prompt (population, mutation, selection)"
    )
    evo.add_argument(
        "docs", nargs="*", metavar="DOCS", help="documents (default: bundled examples)"
    )
    evo.add_argument("--config", metavar="FILE", help="config file (.json, .toml or .yaml)")
    evo.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value by dotted key (repeatable; default: max_rounds=3)",
    )
    evo.add_argument(
        "--generations",
        type=_at_least_one,
        default=4,
        metavar="N",
        help="mutants to make and evaluate (default: %(default)s)",
    )
    evo.add_argument(
        "--seeds",
        type=_at_least_one,
        default=2,
        metavar="N",
        help="runs per evaluation, pass rate averaged (default: %(default)s)",
    )
    evo.add_argument(
        "--holdout",
        type=_share,
        default=0.5,
        metavar="SHARE",
        help="share of documents held out for evaluation, in (0, 1) (default: %(default)s)",
    )
    evo.add_argument(
        "--temperature",
        type=_positive,
        default=0.1,
        metavar="T",
        help="parent choice ∝ exp(pass_rate / T) (default: %(default)s)",
    )
    evo.add_argument(
        "--mutator",
        default="sim/mutator",
        metavar="MODEL",
        help="model that writes prompt mutations (default: %(default)s)",
    )
    evo.add_argument(
        "--roles",
        type=_roles,
        default="challenger",
        metavar="ROLES",
        help="prompts to evolve, comma-separated: challenger, verifier or both "
        "(default: challenger). Judge and solver prompts cannot be evolved: tuning them "
        "to raise the pass rate would be reward hacking",
    )
    evo.add_argument("--out", metavar="DIR", help="output folder (default: evolve/<time>)")

    nb = sub.add_parser(
        "notebook", help="run a notebook headless (papermill) and write an HTML report"
    )
    nb.add_argument(
        "name",
        metavar="NAME",
        help="quickstart, prompt_tuning, gap_analysis, threshold_explorer, meta_optimization "
        "(or with their number, e.g. 03_gap_analysis), or a path to a notebook",
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
        help="where the executed notebook and report go (default: reports/<time>-<notebook>, "
        "e.g. reports/20261126-101500-03_gap_analysis)",
    )
    nb.add_argument("--no-html", action="store_true", help="skip the HTML report")
    return parser


EVOLVABLE_ROLES = ("challenger", "verifier")


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value:
        raise argparse.ArgumentTypeError("expected a number, got nan")
    return value


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive (got {value:g})")
    return value


def _share(text: str) -> float:
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, exclusive (got {value:g})")
    return value


def _dedup(text: str) -> float:
    value = _number(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1] (got {value:g}; 1 keeps all)")
    return value


def _roles(text: str) -> tuple[str, ...]:
    roles = tuple(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    wrong = [r for r in roles if r not in EVOLVABLE_ROLES]
    if not roles or wrong:
        raise argparse.ArgumentTypeError(
            f"{', '.join(wrong) or 'none'}: only challenger and verifier prompts can be evolved "
            "(evolving judge or solver prompts to raise the pass rate would be reward hacking)"
        )
    return roles


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
    listeners = [] if args.quiet else [TextProgress()]
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
        run = asyncio.run(arun(args.docs or None, config, out=out, listeners=listeners))
    except KeyboardInterrupt:
        return _interrupted(out)
    return _finish(run, format_summary)


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


def cmd_report(args: argparse.Namespace) -> int:
    from workbench.records import format_decisions, format_summary, load_run

    run = load_run(Path(args.run_dir))
    run.check()
    print(format_summary(run.summary))
    print()
    print(format_decisions(run.summary))
    return 0


def cmd_notebook(args: argparse.Namespace) -> int:
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


def cmd_serve(args: argparse.Namespace) -> int:
    from workbench.errors import WorkbenchError

    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        import errno

        why = (
            f"port {args.port} is in use"
            if exc.errno == errno.EADDRINUSE
            else f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        )
        raise WorkbenchError(why) from None
    if args.model == "sim":
        from aiohttp import web

        from workbench.providers.sim import make_app

        port = sock.getsockname()[1]  # the one chosen, with --port 0
        print(
            f"serving the simulator at http://{args.host}:{port}/v1 "
            f"(models: openai/challenger, verifier, weak, strong, judge; api_base=http://{args.host}:{port}/v1)",
            flush=True,
        )
        web.run_app(make_app(args.latency), sock=sock, print=None, access_log=None)
        return 0
    sock.close()  # llama.cpp's server binds it itself, right after
    from workbench.providers import serve_command

    command = serve_command(args.host, args.port)
    print(
        f"serving SmolLM2-135M at http://{args.host}:{args.port}/v1 with llama.cpp's server "
        f"(model: openai/smollm2, structured_output: json_object_schema)",
        flush=True,
    )
    import os

    os.execv(command[0], command)
    return 0


def _bind(host: str, port: int):
    """A listening socket on host:port (OSError if the port is taken), before any banner."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.datasets import export

    done = export(args.run_dir, args.format, args.out, None if args.dedup >= 1 else args.dedup)
    print(
        f"{done.rows} examples -> {done.path} ({done.duplicates_removed} near-duplicates removed); card: {done.card}"
    )
    return 0


def _spec(value: str):
    from workbench.config import ModelSpec
    from workbench.config._config import _read_config_file

    if value.endswith((".json", ".toml", ".yaml", ".yml")) and Path(value).is_file():
        return ModelSpec.model_validate(_read_config_file(Path(value)))
    return ModelSpec(model=value)


def cmd_eval(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from workbench.datasets import evaluate, format_table

    out = args.out or f"evals/{time.strftime('%Y%m%d-%H%M%S')}"
    summary = asyncio.run(
        evaluate(
            args.bench,
            [_spec(m) for m in args.models],
            _spec(args.judge),
            out,
            per_criterion=args.judge_mode == "per_criterion",
            concurrency=args.concurrency,
            limit=args.limit,
        )
    )
    table = format_table(summary)
    print(table)
    print(f"results: {out}")
    return 0


def cmd_evolve(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from workbench.config import load_config
    from workbench.evolve import best_diff, evolve

    sets = list(args.sets)
    if not any(s.startswith("max_rounds=") for s in sets):
        sets.insert(0, "max_rounds=3")  # a short budget makes the pass rate sensitive to the prompt
    config = load_config(args.config, sets)
    out = args.out or f"evolve/{time.strftime('%Y%m%d-%H%M%S')}"
    roles = args.roles  # a tuple: `_roles` parsed and checked it (the default too)
    population = asyncio.run(
        evolve(
            args.docs or None,
            config,
            out,
            args.generations,
            args.temperature,
            args.holdout,
            args.seeds,
            _spec(args.mutator),
            roles,
        )
    )
    for v in population:
        print(f"{v.id:4s} generation {v.generation}  pass rate {v.pass_rate:.3f}  {v.rationale}")
    print(best_diff(out, roles[0]))
    print(f"population and runs: {out}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "report": cmd_report,
    "notebook": cmd_notebook,
    "serve": cmd_serve,
    "export": cmd_export,
    "eval": cmd_eval,
    "evolve": cmd_evolve,
}

if __name__ == "__main__":
    sys.exit(main())
