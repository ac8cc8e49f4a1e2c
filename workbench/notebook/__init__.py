"""Notebook support: papermill reports, display helpers and widgets."""

from __future__ import annotations

from workbench.notebook._helpers import RECORD_MIME, RENDERER, demo_run, record, records, setup
from workbench.notebook._reports import (
    drop_widget_state,
    find_notebook,
    notebooks_dir,
    offline,
    run_notebook,
    write_html,
)

__all__ = [
    "RECORD_MIME",
    "RENDERER",
    "demo_run",
    "drop_widget_state",
    "find_notebook",
    "notebooks_dir",
    "offline",
    "record",
    "records",
    "run_notebook",
    "setup",
    "write_html",
]
