"""ipywidgets panels for the notebooks: a run with progress and Stop, a live threshold
explorer, and a prompt tuner. Each is a small class with a `.widget` to display."""

from workbench.notebook.widgets._explorer import ThresholdExplorer
from workbench.notebook.widgets._run_panel import RunPanel
from workbench.notebook.widgets._tuner import PromptTuner

__all__ = ["RunPanel", "ThresholdExplorer", "PromptTuner"]
