"""A run inside the kernel's event loop, with live progress and a Stop button."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import ipywidgets as w

from workbench.engines import arun, default_run_dir, prepare
from workbench.records import Run, load_run


class RunPanel:
    """`run = await RunPanel().run(docs, config)`: progress while it runs, Stop cancels cleanly.

    The run executes on the kernel's own event loop (top-level await), so the
    Stop button stays responsive; a stopped run leaves its directory complete
    up to the last finished round, ready to analyse or resume.
    """

    def __init__(self, refresh_s: float = 0.25):
        self.refresh_s = refresh_s
        self.progress = w.IntProgress(
            value=0, min=0, max=1, description="documents", layout=w.Layout(width="420px")
        )
        self.status = w.HTML("not started")
        self.status.add_class("wb-run-status")
        self.stop_button = w.Button(
            description="Stop", icon="stop", button_style="danger", disabled=True
        )
        self.stop_button.on_click(lambda _: self.stop())
        self.widget = w.VBox([w.HBox([self.progress, self.stop_button]), self.status])
        self._task: asyncio.Task | None = None
        self._stopped = False
        self._counts = {"rounds": 0, "accepted": 0, "calls": 0, "documents": 0}
        self._last_draw = 0.0
        self.run_dir: Path | None = None

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    async def run(
        self, docs: Any = None, config: Any = None, *, out: str | Path | None = None, **kwargs: Any
    ) -> Run:
        cfg, documents, _, warnings = prepare(
            docs, config, kwargs.pop("sets", None), kwargs.get("prompts")
        )
        self.run_dir = Path(out) if out else default_run_dir(cfg.mode)
        self.progress.max = max(1, len(documents))
        self.progress.value = 0
        self._counts = dict.fromkeys(self._counts, 0)
        self._stopped = False
        self._started = time.time()
        note = "".join(f"<br>⚠ {x}" for x in warnings)
        self.status.value = f"running {len(documents)} documents → {self.run_dir}{note}"
        self.stop_button.disabled = False
        self._task = asyncio.ensure_future(
            arun(documents, cfg, out=self.run_dir, listeners=[self._on_event], **kwargs)
        )
        try:
            run = await self._task
        except asyncio.CancelledError:
            if not self._stopped:
                raise
            run = load_run(self.run_dir)
            self._draw(final=f"stopped: {run.summary['rounds']} rounds kept in {self.run_dir}")
            return run
        finally:
            self.stop_button.disabled = True
        self._draw(final=f"done: {run.summary['accepted']} accepted → {self.run_dir}")
        return run

    def stop(self) -> None:
        """Cancel the run; records written so far stay on disk."""
        if self._task is not None and not self._task.done():
            self._stopped = True
            self._task.cancel()

    def _on_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "call":
            self._counts["calls"] += 1
        elif kind == "round":
            self._counts["rounds"] += 1
            self._counts["accepted"] += data["decision"] == "accepted"
        elif kind == "document":
            self._counts["documents"] += 1
            self.progress.value = self._counts["documents"]
        if time.time() - self._last_draw >= self.refresh_s:
            self._draw()

    def _draw(self, final: str = "") -> None:
        self._last_draw = time.time()
        c = self._counts
        line = (
            f"{c['documents']}/{self.progress.max} documents · {c['rounds']} rounds · "
            f"<b>{c['accepted']} accepted</b> · {c['calls']} calls · {time.time() - self._started:.1f}s"
        )
        self.status.value = line + (f"<br>{final}" if final else "")
