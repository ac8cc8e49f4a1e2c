"""The run's configuration: RunConfig and its sections, model specs, thresholds, profiles."""

from __future__ import annotations

from workbench.config._filter import Filter
from workbench.config._load import (
    deep_merge,
    load_config,
    parse_set,
    read_config_file,
    validate_config,
)
from workbench.config._model_spec import ROLES, Models, ModelSpec, role_specs, speaks_openai
from workbench.config._panel import JudgePanel
from workbench.config._profiles import local, local_served, profile, sim_served
from workbench.config._run_config import (
    MIN_CHUNK_TOKENS,
    Audit,
    Documents,
    Retry,
    Rubric,
    RunConfig,
)
from workbench.config._thresholds import (
    EPS,
    PRESET_DEFAULTS,
    PRESETS,
    Thresholds,
    check_reachable,
    min_p_value,
    resolve_thresholds,
    smallest_rollouts,
    thresholds,
)

__all__ = [
    "Documents",
    "Filter",
    "EPS",
    "Audit",
    "MIN_CHUNK_TOKENS",
    "PRESETS",
    "PRESET_DEFAULTS",
    "ROLES",
    "ModelSpec",
    "Models",
    "JudgePanel",
    "role_specs",
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
    "read_config_file",
    "resolve_thresholds",
    "sim_served",
    "smallest_rollouts",
    "speaks_openai",
    "thresholds",
    "validate_config",
]
