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
        help="continue an interrupted run (only budgets, limits, retries and the cache may change)",
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
    serve.add_argument("--port", type=int, default=8000)
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
        type=float,
        default=0.8,
        metavar="J",
        help="drop questions with word-3-gram Jaccard >= J to an earlier one (1 = keep all)",
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
    evo.add_argument("docs", nargs="*", metavar="DOCS")
    evo.add_argument("--config", metavar="FILE")
    evo.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    evo.add_argument("--generations", type=int, default=4)
    evo.add_argument(
        "--seeds", type=int, default=2, help="runs per evaluation (pass rate averaged)"
    )
    evo.add_argument(
        "--holdout", type=float, default=0.5, help="share of documents held out for evaluation"
    )
    evo.add_argument(
        "--temperature", type=float, default=0.1, help="parent choice ∝ exp(pass_rate / T)"
    )
    evo.add_argument("--mutator", default="sim/mutator", help="model that writes prompt mutations")
    evo.add_argument("--roles", default="challenger", help="comma-separated: challenger[,verifier]")
    evo.add_argument("--out", metavar="DIR", help="default: evolve/<time>")

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

    from workbench.api import arun
    from workbench.config import load_config
    from workbench.errors import ConfigError
    from workbench.progress import TextProgress
    from workbench.summary import format_summary

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
        run = asyncio.run(
            arun(args.docs or None, args.config, sets=sets, resume=args.resume, listeners=listeners)
        )
        return _finish(run, format_summary)
    if args.mode:
        sets.append(f"mode={args.mode}")
    if args.seed is not None:
        sets.append(f"seed={args.seed}")
    base = None
    if args.profile:
        from workbench.profiles import profile

        base = profile(args.profile)
    config = load_config(args.config, sets, base=base)
    if args.dry_run:
        from workbench.api import prepare
        from workbench.estimate import format_estimate, upper_bound

        config, documents, prompts, _ = prepare(
            args.docs or None, config, probe_endpoints=False, keys=False
        )
        print(format_estimate(upper_bound(config, documents, prompts)))
        return 0
    run = asyncio.run(arun(args.docs or None, config, out=args.out, listeners=listeners))
    return _finish(run, format_summary)


def _finish(run, format_summary) -> int:
    print(format_summary(run.summary))
    print(f"run directory: {run.dir}")
    if run.summary["status"] != "complete":
        print(
            f"workbench: stopped ({run.summary['status']}): {run.summary['stop_reason']}",
            file=sys.stderr,
        )
        print(f"resume with: workbench run --resume {run.dir}", file=sys.stderr)
        return 3
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


def cmd_serve(args: argparse.Namespace) -> int:
    if args.model == "sim":
        from workbench.providers.sim.server import serve

        print(
            f"serving the simulator at http://{args.host}:{args.port}/v1 "
            f"(models: openai/challenger, verifier, weak, strong, judge; api_base=http://{args.host}:{args.port}/v1)",
            flush=True,
        )
        serve(args.port, args.host, args.latency)
        return 0
    from workbench.providers.local import serve_command

    command = serve_command(args.host, args.port)
    print(
        f"serving SmolLM2-135M at http://{args.host}:{args.port}/v1 with llama.cpp's server "
        f"(model: openai/smollm2, structured_output: json_object_schema)",
        flush=True,
    )
    import os

    os.execv(command[0], command)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.export import export

    done = export(args.run_dir, args.format, args.out, None if args.dedup >= 1 else args.dedup)
    print(
        f"{done.rows} examples -> {done.path} ({done.duplicates_removed} near-duplicates removed); card: {done.card}"
    )
    return 0


def _spec(value: str):
    from workbench.config import ModelSpec, _read_config_file

    if value.endswith((".json", ".toml", ".yaml", ".yml")) and Path(value).is_file():
        return ModelSpec.model_validate(_read_config_file(Path(value)))
    return ModelSpec(model=value)


def cmd_eval(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from workbench.evaluate import evaluate, format_table

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
    print(format_table(summary))
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
    roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
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
