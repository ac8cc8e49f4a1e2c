"""Helpers for notebook cells: chart setup, recorded results, the runs folder, demo runs."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

RECORD_MIME = "application/vnd.workbench.record+json"
RENDERER = "plotly_mimetype+notebook"


def setup() -> None:
    """Charts that render in JupyterLab and in exported HTML (plotly.js embedded, no network)."""
    import plotly.io as pio

    pio.renderers.default = os.environ.get("PLOTLY_RENDERER", RENDERER)


def record(name: str, value: Any) -> None:
    """Show a value and keep it in the notebook's outputs under `name` (read back by tests and reports)."""
    from IPython.display import display

    data = json.loads(json.dumps(value, default=_plain))
    display(
        {RECORD_MIME: {"name": name, "value": data}, "text/plain": f"{name} = {data!r}"}, raw=True
    )


def records(notebook: dict | str | Path) -> dict[str, Any]:
    """Everything `record()`ed in an executed notebook."""
    nb = (
        notebook
        if isinstance(notebook, dict)
        else json.loads(Path(notebook).read_text(encoding="utf-8"))
    )
    found = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(RECORD_MIME)
            if payload:
                found[payload["name"]] = payload["value"]
    return found


def latest_run(mode: str | None = None, root: str | Path | None = None) -> Path | None:
    """The newest run directory (one with a config.json) in the runs folder, or None.

    Demo runs (`demo-*`, made by `demo_run`) are not the user's runs and are skipped;
    `mode` keeps only runs of that mode (agentic or baseline). Newest: by config.json's time."""
    from workbench.engines import runs_dir

    folder = Path(root) if root is not None else runs_dir()
    if not folder.is_dir():
        return None
    found = []
    for path in folder.iterdir():
        config = path / "config.json"
        if path.name.startswith("demo-") or not config.is_file():
            continue
        if mode is not None and _mode(config) != mode:
            continue
        found.append((config.stat().st_mtime, path.name, path))
    return max(found)[2] if found else None


def _mode(config: Path) -> str | None:
    try:
        return json.loads(config.read_text(encoding="utf-8"))["config"].get("mode", "agentic")
    except (OSError, ValueError, KeyError, AttributeError):
        return None


async def demo_run(mode: str = "agentic", seed: int = 0, root: str | Path | None = None) -> Path:
    """A finished simulator run of the bundled documents, in the runs folder (made once, then reused)."""
    from workbench.engines import arun, runs_dir
    from workbench.records import load_run

    path = Path(root if root is not None else runs_dir()) / f"demo-{mode}-seed{seed}"
    if (path / "summary.json").is_file() and load_run(path).summary.get("status") == "complete":
        return path
    if path.exists():
        import shutil

        shutil.rmtree(path)  # an interrupted demo run of our own; safe to redo
    await arun(None, {"mode": mode, "seed": seed}, out=path)
    return path


async def choose_run(run_dir: str | Path | None = None, mode: str = "agentic") -> Path:
    """The run a notebook shows, and a line saying which: `run_dir` if given, else the latest
    run in the runs folder (`latest_run`), else the simulator demo run (made once)."""
    from workbench.engines import runs_dir

    if run_dir:
        path, why = Path(run_dir), "the run_dir parameter"
    elif (latest := latest_run(mode)) is not None:
        path, why = latest, f"the latest {mode} run in {runs_dir()}"
    else:
        path = await demo_run(mode)
        why = f"no {mode} run in {runs_dir()} yet, so the simulator demo run"
    print(f"showing {path} ({why}; pass -p run_dir RUN_DIR for another)")
    return path


def progress_bar(total: int, description: str = "", css_class: str = ""):
    """An ipywidgets progress bar and a callback that advances it by one, showing a label.

    `bar, step = progress_bar(7, "variants"); display(bar); ...; step("v1: 0.50")`"""
    import ipywidgets as w

    bar = w.IntProgress(value=0, min=0, max=max(1, total), description=description)
    label = w.HTML("")
    box = w.HBox([bar, label])
    for widget, name in ((box, css_class), (label, f"{css_class}-label" if css_class else "")):
        if name:
            widget.add_class(name)

    def step(text: str = "") -> None:
        bar.value = min(bar.max, bar.value + 1)
        label.value = html.escape(f"{bar.value}/{bar.max} {text}".strip())
        if bar.value == bar.max:
            bar.bar_style = "success"

    return box, step


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
