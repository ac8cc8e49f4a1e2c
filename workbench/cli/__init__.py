"""The `workbench` command: one module per command."""

from __future__ import annotations

from workbench.cli._main import main

__all__ = [
    "main",
]
