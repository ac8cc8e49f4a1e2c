"""Notebook support: papermill reports, display helpers and widgets."""

from __future__ import annotations

from workbench.notebook._helpers import (
    RECORD_MIME,
    RENDERER,
    choose_run,
    demo_run,
    latest_run,
    progress_bar,
    record,
    records,
    setup,
)
from workbench.notebook._reports import (
    NotebookParameterError,
    check_parameters,
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
    "NotebookParameterError",
    "check_parameters",
    "choose_run",
    "demo_run",
    "drop_widget_state",
    "find_notebook",
    "latest_run",
    "notebooks_dir",
    "offline",
    "progress_bar",
    "record",
    "records",
    "run_notebook",
    "setup",
    "write_html",
]
