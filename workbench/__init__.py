"""Autodata workbench: generate questions in the difficulty sweet spot with a Challenger,
a Weak and a Strong solver and a Judge, over LiteLLM.

    import workbench
    run = workbench.run()                    # bundled documents, offline simulator
    run = await workbench.arun(docs, config) # in a notebook
    run = workbench.load_run("runs/...")     # run.rounds, run.accepted, run.calls

LiteLLM, pandas and plotly are imported only when needed.
"""

from __future__ import annotations

from workbench._litellm import configure_env

__version__ = "0.1.0"

configure_env()

__all__ = [
    "run",
    "arun",
    "load_run",
    "load_config",
    "RunConfig",
    "decide",
    "thresholds",
    "__version__",
]


def __getattr__(name: str):
    if name in ("run", "arun"):
        from workbench import api

        return getattr(api, name)
    if name in ("load_run", "Run"):
        from workbench import runs

        return getattr(runs, name)
    if name in ("load_config", "RunConfig"):
        from workbench import config

        return getattr(config, name)
    if name in ("decide", "Thresholds", "thresholds"):
        from workbench import acceptance

        return getattr(acceptance, name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
