"""Where the bundled prompts, example documents and notebooks are: the top-level folders of a
source checkout, or the copies a wheel carries inside the package (`workbench/_prompts` ...)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# bundled name -> (folder in a source checkout, folder inside an installed wheel)
_PLACES = {
    "prompts": ("prompts", "_prompts"),
    "docs": ("examples/docs", "_examples/docs"),
    "long": ("examples/long", "_examples/long"),
    "notebooks": ("notebooks", "_notebooks"),
}


def bundled(name: str, marker: str | None = None) -> Path | None:
    """The folder holding the bundled `name` (with `marker` in it, if given), or None."""
    for candidate in (_PACKAGE.parent / _PLACES[name][0], _PACKAGE / _PLACES[name][1]):
        if candidate.is_dir() and (marker is None or (candidate / marker).is_file()):
            return candidate
    return None
