"""The run's configuration: RunConfig and its sections, model specs, thresholds, profiles."""

from __future__ import annotations

from workbench.config._config import (
    ROLES,
    ModelSpec,
    Retry,
    Rubric,
    RunConfig,
    deep_merge,
    load_config,
    parse_set,
)
from workbench.config._profiles import local, local_served, profile, sim_served
from workbench.config._thresholds import (
    EPS,
    PRESETS,
    Thresholds,
    check_reachable,
    min_p_value,
    resolve_thresholds,
    smallest_rollouts,
    thresholds,
)

__all__ = [
    "EPS",
    "ModelSpec",
    "PRESETS",
    "ROLES",
    "Retry",
    "Rubric",
    "RunConfig",
    "Thresholds",
    "check_reachable",
    "deep_merge",
    "load_config",
    "local",
    "local_served",
    "min_p_value",
    "parse_set",
    "profile",
    "resolve_thresholds",
    "sim_served",
    "smallest_rollouts",
    "thresholds",
]
