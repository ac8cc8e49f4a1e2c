"""Edit a role's prompt, run it as a variant on chosen documents, compare it with the previous one.

Everything the tuner shows goes into its own widgets (status line, table, chart and diff
Outputs) by setting their contents, never by printing: output printed from a task started
by a button callback has no cell to land in, and JupyterLab drops it."""

from __future__ import annotations

import asyncio
import difflib
import html
import shutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from workbench.analysis import compare, variant_comparison
from workbench.engines import arun, as_config, read_documents, runs_dir
from workbench.inputs import default_prompts_dir
from workbench.records import Run
from workbench.roles import load_prompts

TUNABLE = ("challenger", "verifier", "judge", "weak", "strong")
SAVE_DIR = "prompts-tuned"
TABLE_COLUMNS = (
    "documents",
    "documents_accepted",
    "accepted",
    "acceptance_rate",
    "mean_rounds_to_accept",
    "kept_weak_mean",
    "kept_strong_mean",
    "calls_per_accepted",
)


@dataclass
class Variant:
    name: str
    prompts: dict[str, str]
    run: Run


class PromptTuner:
    """An editor per role, a document picker, a Run button and Save; every variant is saved as a run.

    Save writes the open tab's prompt to `save_dir/<role>.j2` (default `./prompts-tuned/`),
    never over the bundled prompts; the previous saved text goes to `save_dir/.history/`.
    """

    def __init__(
        self,
        docs: Any = None,
        config: Any = None,
        out_dir: str | Path | None = None,
        roles: tuple[str, ...] = TUNABLE,
        save_dir: str | Path = SAVE_DIR,
    ):
        self.config = as_config(config)
        self.documents = read_documents(docs, self.config)
        # Variant runs go with every other run (the one runs folder), unless told otherwise.
        self.out_dir = Path(out_dir) if out_dir else runs_dir() / "tuning"
        self.save_dir = Path(save_dir)
        self.roles = roles
        base = load_prompts(self.config.prompts.model_dump())
        self.baseline_texts = base.texts()
        self.sources = {role: p.source for role, p in base.prompts.items()}
        self.editors = {
            r: w.Textarea(
                value=self.baseline_texts[r], layout=w.Layout(width="100%", height="320px")
            )
            for r in roles
        }
        for r in roles:
            self.editors[r].add_class(f"wb-editor-{r}")
        # the text each editor last got from the tuner: a user edit is anything else
        self._placed = dict(self.baseline_texts)
        self.tabs = w.Tab(children=[self.editors[r] for r in roles])
        for i, r in enumerate(roles):
            self.tabs.set_title(i, r)
        ids = [d.id for d in self.documents]
        self.picker = w.SelectMultiple(
            options=ids, value=tuple(ids), description="documents", rows=min(8, len(ids))
        )
        self.run_button = w.Button(description="Run variant", icon="play", button_style="primary")
        self.run_button.on_click(lambda _: self._start(self._run_and_show()))
        self.save_role = w.Dropdown(options=roles, description="save")
        self.save_role.add_class("wb-save-role")
        self.save_button = w.Button(
            description=f"Save to {self.save_dir.name}/",
            icon="save",
            layout=w.Layout(width="auto"),
        )
        self.save_button.on_click(lambda _: self._guarded(lambda: self.save(self.save_role.value)))
        self.tabs.observe(self._on_tab, "selected_index")
        self.save_role.observe(self._on_save_role, "value")
        self.status = w.HTML()
        self.status.add_class("wb-tuner-status")
        self.table_out = w.Output()
        self.table_out.add_class("wb-tuner-table")
        self.chart_out = w.Output()
        self.chart_out.add_class("wb-tuner-chart")
        self.diff_out = w.Output()
        self.diff_out.add_class("wb-tuner-diff")
        self.errors = w.Output()
        self.variants: list[Variant] = []
        self._tasks: set[asyncio.Future] = set()
        self.widget = w.VBox(
            [
                self.tabs,
                w.HBox(
                    [
                        self.picker,
                        w.VBox([self.run_button, w.HBox([self.save_role, self.save_button])]),
                    ]
                ),
                self.status,
                self.errors,
                self.table_out,
                self.chart_out,
                self.diff_out,
            ]
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _on_tab(self, change) -> None:
        if change["new"] is not None:
            self.save_role.value = self.roles[change["new"]]

    def _on_save_role(self, change) -> None:
        self.tabs.selected_index = self.roles.index(change["new"])

    def _start(self, coro) -> None:
        """Run a button's coroutine; its failure goes to the status line and the errors Output."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._show_error(task.exception())

    def _guarded(self, action) -> None:
        try:
            action()
        except Exception as exc:
            self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self.status.value = f"<b style='color:#d62728'>{html.escape(str(exc))}</b>"
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.errors.outputs = ({"output_type": "stream", "name": "stdout", "text": text},)

    def current_texts(self) -> dict[str, str]:
        return {r: self.editors[r].value for r in self.roles}

    def edited(self, role: str) -> bool:
        """Whether the user changed `role`'s editor since the tuner last filled it."""
        return self.editors[role].value != self._placed[role]

    async def run_variant(
        self, name: str | None = None, prompts: dict[str, str] | None = None
    ) -> Variant:
        """Run the editors' prompts (with `prompts` for some roles in their place) on the
        picked documents as a new variant run, then refresh the comparison.

        An editor shows a passed prompt only if the user has not edited it; the user's
        edits are never overwritten (the status line says so)."""
        prompts = dict(prompts or {})
        texts = {**self.current_texts(), **prompts}
        kept = []
        for role, text in prompts.items():
            if role not in self.editors:
                continue
            if self.edited(role):
                kept.append(role)
            else:
                self.editors[role].value = self._placed[role] = text
        name = name or f"variant-{len(self.variants) + 1}"
        out = self.out_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
        docs = [d for d in self.documents if d.id in set(self.picker.value)]
        if not docs:
            raise ValueError("pick at least one document to run the variant on")
        changed = {r: t for r, t in texts.items() if t != self.baseline_texts[r]}
        self.run_button.disabled = True
        self.status.value = html.escape(f"running {name} on {len(docs)} documents → {out}")
        try:
            run = await arun(docs, self.config, out=out, prompts=changed)
        except Exception as exc:
            self.status.value = f"<b style='color:#d62728'>{html.escape(str(exc))}</b>"
            raise
        finally:
            self.run_button.disabled = False
        variant = Variant(name, texts, run)
        self.variants.append(variant)
        self.show()
        note = (
            f" (the {', '.join(kept)} editor keeps your edits; this variant used the text passed in)"
            if kept
            else ""
        )
        self.status.value = html.escape(
            f"{name}: {run.summary['accepted']} accepted of {run.summary['documents']} documents"
            f" → {run.dir}{note}"
        )
        return variant

    async def _run_and_show(self) -> None:
        """The Run button: run the editors' prompts; run_variant refreshes the comparison."""
        await self.run_variant()

    def table(self):
        """Every variant side by side (acceptance rate, mean rounds, weak/strong means, spend)."""
        return compare({v.name: v.run for v in self.variants})

    def diff(self, a: int = -2, b: int = -1) -> str:
        """A unified diff of the prompts of two variants (default: the last two; a lone variant vs the bundled ones)."""
        if not self.variants:
            return ""
        new = self.variants[b]
        old = self.variants[a].prompts if len(self.variants) >= 2 else self.baseline_texts
        old_name = self.variants[a].name if len(self.variants) >= 2 else "bundled"
        out = []
        for role in self.roles:
            out.extend(
                difflib.unified_diff(
                    old[role].splitlines(),
                    new.prompts[role].splitlines(),
                    f"{old_name}/{role}",
                    f"{new.name}/{role}",
                    lineterm="",
                )
            )
        return "\n".join(out) or "(no prompt changes)"

    def show(self) -> None:
        """Refresh the comparison (table, chart, diff) in the tuner's own Outputs.

        The Outputs' contents are set directly (not `with output:`), so this works from a
        cell, from a button callback and from a task a callback started."""
        from IPython.display import HTML

        if not self.variants:
            return
        table = self.table()
        shown = table.set_index("run")[[c for c in TABLE_COLUMNS if c in table]]
        shown = shown.apply(lambda column: column.astype(float))  # None (no accepted) as NaN
        _put(self.table_out, HTML(shown.to_html(float_format=lambda v: f"{v:.3g}", na_rep="–")))
        _put(self.chart_out, variant_comparison(table))
        _put(
            self.diff_out,
            HTML(
                "<pre class='wb-prompt-diff' style='max-height:320px;overflow:auto'>"
                f"{html.escape(self.diff())}</pre>"
            ),
        )

    def save(self, role: str) -> Path:
        """Write the role's edited prompt to `save_dir/<role>.j2` (the previous saved text goes to
        `save_dir/.history/`); the bundled prompts are never written. Returns the path."""
        target = (self.save_dir / f"{role}.j2").resolve()
        bundled = default_prompts_dir().resolve()
        if target.parent == bundled or bundled in target.parents:
            raise ValueError(
                f"refusing to overwrite the bundled prompts in {bundled}: "
                "pass save_dir= a folder of your own"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        history = target.parent / ".history"
        note = ""
        if target.exists():
            history.mkdir(exist_ok=True)
            kept = history / f"{target.name}.{time.strftime('%Y%m%d-%H%M%S')}"
            shutil.copy2(target, kept)
            note = f"; previous copy in {kept}"
        target.write_text(self.editors[role].value, encoding="utf-8")
        self.status.value = html.escape(
            f"saved the {role} prompt to {target}{note}. "
            f'Use it with the config setting prompts: {{"{role}": "{target}"}}'
        )
        return target


def _put(output: w.Output, obj: Any) -> None:
    """Replace an Output's contents with one displayed object (a plotly figure as plotly's
    mime bundle, which JupyterLab renders without a kernel round trip)."""
    import plotly.graph_objects as go

    if isinstance(obj, go.Figure):
        import plotly.io as pio

        data = pio.renderers["plotly_mimetype"].to_mimebundle(obj.to_dict())
        data["text/plain"] = f"<{obj.layout.title.text or 'figure'}>"
        output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)
    else:
        output.outputs = ()
        output.append_display_data(obj)
