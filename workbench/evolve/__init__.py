"""Meta-optimization: evolving prompt variants by their acceptance rate."""

from __future__ import annotations

from workbench.evolve._evolve import (
    EVOLVABLE,
    Mutation,
    Variant,
    analysis_text,
    best_diff,
    check_arguments,
    check_template,
    choose_parent,
    evolve,
    load_population,
    population_frame,
    split,
)

__all__ = [
    "EVOLVABLE",
    "Mutation",
    "Variant",
    "analysis_text",
    "best_diff",
    "check_arguments",
    "check_template",
    "choose_parent",
    "evolve",
    "load_population",
    "population_frame",
    "split",
]
