"""Running the loop over many documents: the local (async) engine and Ray."""

from __future__ import annotations

from workbench.engines._api import (
    RUNS_ENV,
    arun,
    as_config,
    default_run_dir,
    prepare,
    run,
    runs_dir,
)
from workbench.engines._documents import check_fit, read_documents
from workbench.engines._filter import Filtered, afilter_run, filter_run
from workbench.engines._ray import worker_config
from workbench.engines._repair import Repaired, repair_run
from workbench.engines._signals import Stopped, until_signal
from workbench.engines._sync import run_sync
from workbench.engines._validate import Checked, check_run, validate_run

__all__ = [
    "Checked",
    "Filtered",
    "afilter_run",
    "filter_run",
    "Repaired",
    "Stopped",
    "check_run",
    "repair_run",
    "until_signal",
    "validate_run",
    "RUNS_ENV",
    "arun",
    "as_config",
    "check_fit",
    "default_run_dir",
    "prepare",
    "read_documents",
    "run",
    "run_sync",
    "runs_dir",
    "worker_config",
]
