"""ipywidgets panels for the notebooks: a run with progress and Stop, a live threshold
explorer, a prompt tuner, and a round browser with human review. Each is a small class with a `.widget` to display."""

from workbench.notebook.widgets._browser import RoundBrowser, examples_table, rounds_table
from workbench.notebook.widgets._explorer import ThresholdExplorer
from workbench.notebook.widgets._run_panel import RunPanel
from workbench.notebook.widgets._tuner import PromptTuner

__all__ = [
    "PromptTuner",
    "RoundBrowser",
    "RunPanel",
    "ThresholdExplorer",
    "examples_table",
    "rounds_table",
]
