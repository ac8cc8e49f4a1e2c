"""Argument types and options shared by the commands (one-line errors for bad values)."""

from __future__ import annotations

import argparse
from pathlib import Path

EVOLVABLE_ROLES = ("challenger", "verifier")


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value:
        raise argparse.ArgumentTypeError("expected a number, got nan")
    return value


def positive(text: str) -> float:
    value = number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive (got {value:g})")
    return value


def share(text: str) -> float:
    value = number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, exclusive (got {value:g})")
    return value


def dedup_threshold(text: str) -> float:
    value = number(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1] (got {value:g}; 1 keeps all)")
    return value


def evolvable_roles(text: str) -> tuple[str, ...]:
    roles = tuple(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    wrong = [r for r in roles if r not in EVOLVABLE_ROLES]
    if not roles or wrong:
        raise argparse.ArgumentTypeError(
            f"{', '.join(wrong) or 'none'}: only challenger and verifier prompts can be evolved "
            "(evolving judge or solver prompts to raise the pass rate would be reward hacking)"
        )
    return roles


def model_spec(value: str):
    """A `--model`/`--judge` value: a LiteLLM model string, or a .json/.toml/.yaml spec file."""
    from workbench.config import ModelSpec, read_config_file

    if value.endswith((".json", ".toml", ".yaml", ".yml")) and Path(value).is_file():
        return ModelSpec.model_validate(read_config_file(Path(value)))
    return ModelSpec(model=value)


def add_config_options(parser: argparse.ArgumentParser, set_help: str) -> None:
    """--config FILE and repeatable --set KEY=VALUE (run and evolve)."""
    parser.add_argument("--config", metavar="FILE", help="config file (.json, .toml or .yaml)")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=set_help,
    )
