"""`workbench evolve`: meta-optimization of the challenger (and verifier) prompt."""

from __future__ import annotations

import argparse

from workbench.cli._args import (
    add_config_options,
    at_least_one,
    evolvable_roles,
    model_spec,
    positive,
    share,
)

HELP = "meta-optimize the challenger prompt (population, mutation, selection)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "docs", nargs="*", metavar="DOCS", help="documents (default: bundled examples)"
    )
    add_config_options(
        parser,
        "override a config value by dotted key (repeatable; default: max_rounds=3)",
    )
    parser.add_argument(
        "--generations",
        type=at_least_one,
        default=4,
        metavar="N",
        help="mutants to make and evaluate (default: %(default)s)",
    )
    parser.add_argument(
        "--seeds",
        type=at_least_one,
        default=2,
        metavar="N",
        help="runs per evaluation, pass rate averaged (default: %(default)s)",
    )
    parser.add_argument(
        "--holdout",
        type=share,
        default=0.5,
        metavar="SHARE",
        help="share of documents held out for evaluation, in (0, 1) (default: %(default)s)",
    )
    parser.add_argument(
        "--temperature",
        type=positive,
        default=0.1,
        metavar="T",
        help="parent choice ∝ exp(pass_rate / T) (default: %(default)s)",
    )
    parser.add_argument(
        "--mutator",
        default="sim/mutator",
        metavar="MODEL",
        help="model that writes prompt mutations (default: %(default)s)",
    )
    parser.add_argument(
        "--roles",
        type=evolvable_roles,
        default="challenger",
        metavar="ROLES",
        help="prompts to evolve, comma-separated: challenger, verifier or both "
        "(default: challenger). Judge and solver prompts cannot be evolved: tuning them "
        "to raise the pass rate would be reward hacking",
    )
    parser.add_argument("--out", metavar="DIR", help="output folder (default: evolve/<time>)")


def handle(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from workbench.config import load_config
    from workbench.evolve import best_diff, evolve

    sets = list(args.sets)
    if not any(s.startswith("max_rounds=") for s in sets):
        sets.insert(0, "max_rounds=3")  # a short budget makes the pass rate sensitive to the prompt
    config = load_config(args.config, sets)
    out = args.out or f"evolve/{time.strftime('%Y%m%d-%H%M%S')}"
    roles = args.roles  # a tuple: `evolvable_roles` parsed and checked it (the default too)
    population = asyncio.run(
        evolve(
            args.docs or None,
            config,
            out,
            args.generations,
            args.temperature,
            args.holdout,
            args.seeds,
            model_spec(args.mutator),
            roles,
        )
    )
    for v in population:
        print(f"{v.id:4s} generation {v.generation}  pass rate {v.pass_rate:.3f}  {v.rationale}")
    print(best_diff(out, roles[0]))
    print(f"population and runs: {out}")
    return 0
