"""Running the loop over many documents: the local (async) engine and Ray."""

from __future__ import annotations

from workbench.engines._api import arun, as_config, default_run_dir, prepare, run
from workbench.engines._ray import worker_config
from workbench.engines._sync import run_sync

__all__ = [
    "arun",
    "as_config",
    "default_run_dir",
    "prepare",
    "run",
    "run_sync",
    "worker_config",
]
