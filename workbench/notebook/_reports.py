"""Run a notebook headless with papermill and write an HTML report that opens offline.

Widgets in the report are static snapshots of their last state (`_snapshot`): the widget
manager that would draw them live comes from a CDN, and reports need no network."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from workbench._bundled import bundled
from workbench.errors import WorkbenchError
from workbench.notebook._helpers import RENDERER
from workbench.notebook._snapshot import PLOTLY_SNAPSHOT, add_snapshots


class NotebookParameterError(WorkbenchError):
    """A parameter given to a notebook is not one of its parameters (a typo, usually)."""


def notebooks_dir() -> Path:
    found = bundled("notebooks")
    if found is None:
        raise WorkbenchError("the bundled notebooks are missing from this installation")
    return found


def find_notebook(name: str) -> Path:
    """`03_gap_analysis`, `gap_analysis`, `03`, or a path to an .ipynb."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path
    candidates = sorted(notebooks_dir().glob("*.ipynb"))
    for nb in candidates:
        stem = nb.stem
        if name in (stem, stem.split("_", 1)[-1], stem.split("_", 1)[0], nb.name):
            return nb
    names = ", ".join(nb.stem for nb in candidates)
    raise WorkbenchError(f"no notebook named {name!r} (available: {names})")


def run_notebook(
    name: str,
    parameters: dict[str, Any] | None = None,
    out_dir: str | Path | None = None,
    html: bool = True,
    cwd: str | Path | None = None,
) -> tuple[Path, Path | None]:
    """Execute a notebook with papermill; return the executed notebook and its HTML report."""
    import papermill as pm

    source = find_notebook(name)
    check_parameters(source, parameters or {})
    out = (
        Path(out_dir)
        if out_dir
        else Path("reports") / f"{time.strftime('%Y%m%d-%H%M%S')}-{source.stem}"
    )
    out.mkdir(parents=True, exist_ok=True)
    executed = out / source.name
    os.environ.setdefault("PLOTLY_RENDERER", RENDERER)
    try:
        pm.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters or {},
            progress_bar=False,
            cwd=str(cwd) if cwd else None,
            kernel_name="python3",
        )
    except pm.PapermillExecutionError as exc:
        raise WorkbenchError(
            f"{source.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
            f" (executed notebook kept at {executed})"
        ) from None
    drop_widget_state(executed)
    report = write_html(executed) if html else None
    return executed, report


def check_parameters(source: Path, parameters: dict[str, Any]) -> None:
    """Every parameter is one the notebook's parameters cell declares (papermill only warns,
    then runs with the defaults: a typo would silently report on the wrong run)."""
    from papermill import inspect_notebook

    known = list(inspect_notebook(str(source)))
    unknown = [key for key in parameters if key not in known]
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise NotebookParameterError(
            f"{source.stem} has no parameter {names}; its parameters are: "
            f"{', '.join(known) or '(none)'}"
        )


def drop_widget_state(executed: Path) -> None:
    """Replace the saved widget state (megabytes, drawable only by a widget manager from a CDN)
    with a static HTML snapshot in each widget's output, which the report shows."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    if "widgets" not in nb.metadata:
        return
    add_snapshots(nb)
    nb.metadata.pop("widgets")
    nbformat.write(nb, executed)


def write_html(executed: Path) -> Path:
    """The executed notebook as standalone HTML: plotly.js is embedded in the first chart's output."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    if PLOTLY_SNAPSHOT in body and "plotly.js v" not in body:
        body = with_plotlyjs(body)  # a figure widget's snapshot, and no chart that embeds plotly.js
    report = executed.with_suffix(".html")
    report.write_text(offline(body), encoding="utf-8")
    return report


def with_plotlyjs(body: str) -> str:
    """plotly.js inlined in <head>, for snapshots of figure widgets."""
    from plotly.offline import get_plotlyjs

    script = f"<script type='text/javascript'>{get_plotlyjs()}</script>"
    return body.replace("</head>", script + "</head>", 1)


_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE)


def offline(html: str) -> str:
    """Drop remote <script src=...> tags (require.js, MathJax): the report needs no network."""
    return _REMOTE_SCRIPT.sub("", html)
