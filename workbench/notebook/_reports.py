"""Run a notebook headless with papermill and write an HTML report that opens offline."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from workbench._bundled import bundled
from workbench.errors import WorkbenchError
from workbench.notebook._helpers import RENDERER


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


def drop_widget_state(executed: Path) -> None:
    """Remove saved widget state: megabytes of widget JavaScript that an offline report cannot use."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    if nb.metadata.pop("widgets", None) is not None:
        nbformat.write(nb, executed)


def write_html(executed: Path) -> Path:
    """The executed notebook as standalone HTML: plotly.js is embedded in the first chart's output."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    report = executed.with_suffix(".html")
    report.write_text(offline(body), encoding="utf-8")
    return report


_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE)


def offline(html: str) -> str:
    """Drop remote <script src=...> tags (require.js, MathJax): the report needs no network."""
    return _REMOTE_SCRIPT.sub("", html)
