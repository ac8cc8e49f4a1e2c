"""Autodata workbench: generate questions in the difficulty sweet spot with a Challenger,
a Weak and a Strong solver and a Judge, over LiteLLM.

    import workbench
    run = workbench.run()                    # bundled documents, offline simulator
    run = await workbench.arun(docs, config) # in a notebook
    run = workbench.load_run("runs/...")     # run.rounds, run.accepted, run.calls
    workbench.filter_run("runs/...")         # the final filter: RUN_DIR/filtered.jsonl

LiteLLM, pandas and plotly are imported only when needed. The subpackages, bottom to top:
config, inputs, providers -> model -> roles -> records -> loop -> engines ->
analysis, datasets, evolve -> notebook -> cli (see the README's Architecture section).
"""

from __future__ import annotations

from workbench._env import configure_env
from workbench._version import __version__

configure_env()

__all__ = [
    "run",
    "arun",
    "load_run",
    "filter_run",
    "load_config",
    "RunConfig",
    "decide",
    "thresholds",
    "__version__",
]

_LAZY = {
    "run": "workbench.engines",
    "arun": "workbench.engines",
    "load_run": "workbench.records",
    "filter_run": "workbench.engines",
    "Run": "workbench.records",
    "load_config": "workbench.config",
    "RunConfig": "workbench.config",
    "Thresholds": "workbench.config",
    "thresholds": "workbench.config",
    "decide": "workbench.loop",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
