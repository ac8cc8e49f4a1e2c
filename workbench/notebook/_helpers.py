"""Helpers for notebook cells: chart setup, recorded results, demo runs."""

from __future__ import annotations

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


async def demo_run(mode: str = "agentic", seed: int = 0, root: str | Path = "runs") -> Path:
    """A finished simulator run of the bundled documents (made once, then reused)."""
    from workbench.engines import arun
    from workbench.records import load_run

    path = Path(root) / f"demo-{mode}-seed{seed}"
    if (path / "summary.json").is_file() and load_run(path).summary.get("status") == "complete":
        return path
    if path.exists():
        import shutil

        shutil.rmtree(path)  # an interrupted demo run of our own; safe to redo
    await arun(None, {"mode": mode, "seed": seed}, out=path)
    return path


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
