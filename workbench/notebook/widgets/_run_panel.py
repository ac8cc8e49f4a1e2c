"""A run inside the kernel's event loop, with live progress and a Stop button."""

from __future__ import annotations

import asyncio
import html
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import ipywidgets as w

from workbench.engines import arun, default_run_dir, prepare
from workbench.model.backends import get_litellm
from workbench.records import Run, load_run


class RunPanel:
    """`run = await RunPanel().run(docs, config)`: progress while it runs, Stop cancels cleanly.

    The run executes on the kernel's own event loop (top-level await), so the
    Stop button stays responsive; a stopped run leaves its directory complete
    up to the last finished round, ready to analyse or resume (the panel shows the
    `workbench run --resume RUN_DIR` command). New runs go into the runs folder
    (`workbench.engines.runs_dir()`: $WORKBENCH_RUNS_DIR, else ./runs).
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
        self.stop_button.add_class("wb-run-stop")
        self.stop_button.on_click(lambda _: self.stop())
        self.widget = w.VBox([w.HBox([self.progress, self.stop_button]), self.status])
        self.widget.add_class("wb-run-panel")
        self._task: asyncio.Task | None = None
        self._stopped = False
        self._counts = {"rounds": 0, "accepted": 0, "kept": 0, "calls": 0, "documents": 0}
        self._mode = "agentic"
        self._last_draw = 0.0
        self._note = ""
        self.run_dir: Path | None = None

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    async def run(
        self, docs: Any = None, config: Any = None, *, out: str | Path | None = None, **kwargs: Any
    ) -> Run | None:
        # The caller's docs (paths), not the loaded Documents, go to arun: config.json then
        # records their paths and `workbench run --resume RUN_DIR` can reload them.
        docs = None if docs is None else list(docs)
        self.status.value = "starting: reading the config and documents…"
        cfg, documents, _, warnings = prepare(
            docs, config, kwargs.pop("sets", None), kwargs.get("prompts")
        )
        self.run_dir = Path(out) if out else default_run_dir(cfg.mode)
        self.progress.max = max(1, len(documents))
        self.progress.value = 0
        self._counts = dict.fromkeys(self._counts, 0)
        self._stopped = False
        self._started = time.time()
        self._note = "".join(f"<br>⚠ {html.escape(x)}" for x in warnings)
        where = html.escape(str(self.run_dir))
        self.stop_button.disabled = False
        self._task = asyncio.ensure_future(self._run(docs, cfg, **kwargs))
        try:
            run = await self._task
        except asyncio.CancelledError:
            if not self._stopped:
                raise
            if not (self.run_dir / "config.json").is_file():
                self._draw(final="stopped before the run started: nothing was written")
                return None
            run = load_run(self.run_dir)
            command = html.escape(resume_command(self.run_dir))
            self._draw(
                final=f"stopped: {run.summary['rounds']} rounds kept in {where}<br>"
                f"resume with: <code class='wb-resume-command'>{command}</code>"
            )
            return run
        finally:
            self.stop_button.disabled = True
        kept = f", {run.summary['kept']} kept" if self._mode == "baseline" else ""
        self._draw(final=f"done: {run.summary['accepted']} accepted{kept} → {where}")
        return run

    async def _run(self, docs: Any, cfg: Any, **kwargs: Any) -> Run:
        where = html.escape(str(self.run_dir))
        if kwargs.get("backend") is None and "litellm" not in sys.modules:
            # The first run in a kernel imports LiteLLM (seconds): say so, off the event loop.
            self.status.value = (
                f"starting: importing LiteLLM (first run in this kernel)…{self._note}"
            )
            await asyncio.to_thread(get_litellm)
        self.status.value = (
            f"running {self.progress.max} documents → {where}: waiting for the first model reply…"
            f"{self._note}"
        )
        return await arun(docs, cfg, out=self.run_dir, listeners=[self._on_event], **kwargs)

    def stop(self) -> None:
        """Cancel the run; records written so far stay on disk."""
        if self._task is not None and not self._task.done():
            self._stopped = True
            self._task.cancel()

    def _on_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "start":
            self._mode = data.get("mode", "agentic")
            return
        if kind == "example":
            self._counts["kept"] += 1
        elif kind == "call":
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
            f"<b>{c['accepted']} accepted</b>"
            + (f" · {c['kept']} kept" if self._mode == "baseline" else "")
            + f" · {c['calls']} calls · {time.time() - self._started:.1f}s"
        )
        if not final and not c["calls"]:
            final = "waiting for the first model reply…"
        self.status.value = line + (f"<br>{final}" if final else "") + self._note


def resume_command(run_dir: str | Path) -> str:
    """The shell command that continues a stopped run (an absolute path: works from any folder)."""
    return f"workbench run --resume {shlex.quote(str(Path(run_dir).resolve()))}"
