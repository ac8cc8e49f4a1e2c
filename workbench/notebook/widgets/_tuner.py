"""Edit a role's prompt, run it as a variant on chosen documents, compare it with the previous one."""

from __future__ import annotations

import asyncio
import difflib
import html
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from workbench.analysis import compare, variant_comparison
from workbench.engines import arun, as_config
from workbench.inputs import DEFAULT_FILES, default_prompts_dir, load_documents
from workbench.records import Run
from workbench.roles import load_prompts

TUNABLE = ("challenger", "verifier", "judge", "weak", "strong")


@dataclass
class Variant:
    name: str
    prompts: dict[str, str]
    run: Run


class PromptTuner:
    """An editor per role, a document picker and a Run button; every variant is saved as a run."""

    def __init__(
        self,
        docs: Any = None,
        config: Any = None,
        out_dir: str | Path = "runs/tuning",
        roles: tuple[str, ...] = TUNABLE,
    ):
        self.config = as_config(config)
        self.documents = load_documents(docs, self.config.limits.max_doc_chars)
        self.out_dir = Path(out_dir)
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
        self.tabs = w.Tab(children=[self.editors[r] for r in roles])
        for i, r in enumerate(roles):
            self.tabs.set_title(i, r)
        ids = [d.id for d in self.documents]
        self.picker = w.SelectMultiple(
            options=ids, value=tuple(ids), description="documents", rows=min(8, len(ids))
        )
        self.run_button = w.Button(description="Run variant", icon="play", button_style="primary")
        self.run_button.on_click(lambda _: asyncio.ensure_future(self._run_and_show()))
        self.save_role = w.Dropdown(options=roles, description="save")
        self.save_button = w.Button(description="Save to prompts/", icon="save")
        self.save_button.on_click(lambda _: self.save(self.save_role.value))
        self.status = w.HTML()
        self.results = w.Output()
        self.variants: list[Variant] = []
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
                self.results,
            ]
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def current_texts(self) -> dict[str, str]:
        return {r: self.editors[r].value for r in self.roles}

    async def run_variant(
        self, name: str | None = None, prompts: dict[str, str] | None = None
    ) -> Variant:
        """Run the editors' prompts (or `prompts`) on the picked documents as a new variant run."""
        texts = {**self.current_texts(), **(prompts or {})}
        for role, text in (prompts or {}).items():
            if role in self.editors:
                self.editors[role].value = text
        name = name or f"variant-{len(self.variants) + 1}"
        out = self.out_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
        docs = [d for d in self.documents if d.id in set(self.picker.value)]
        changed = {r: t for r, t in texts.items() if t != self.baseline_texts[r]}
        self.run_button.disabled = True
        self.status.value = f"running {name} on {len(docs)} documents → {out}"
        try:
            run = await arun(docs, self.config, out=out, prompts=changed)
        except Exception as exc:
            self.status.value = f"<b style='color:#d62728'>{html.escape(str(exc))}</b>"
            raise
        finally:
            self.run_button.disabled = False
        variant = Variant(name, texts, run)
        self.variants.append(variant)
        self.status.value = (
            f"{name}: {run.summary['accepted']} accepted of {run.summary['documents']} documents"
        )
        return variant

    async def _run_and_show(self) -> None:
        """The Run button: run the editors' prompts, then refresh the comparison below the panel."""
        await self.run_variant()
        self.show()

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
        """Refresh the comparison (table, chart, diff) in the panel's output area."""
        from IPython.display import HTML, display

        self.results.clear_output()
        with self.results:
            table = self.table()
            display(
                table.set_index("run")[
                    [
                        "documents",
                        "documents_accepted",
                        "acceptance_rate",
                        "mean_rounds_to_accept",
                        "kept_weak_mean",
                        "kept_strong_mean",
                        "calls_per_accepted",
                    ]
                ]
            )
            display(variant_comparison(table))
            display(HTML(f"<pre>{html.escape(self.diff())}</pre>"))

    def save(self, role: str) -> Path:
        """Write the edited prompt back to its file (bundled `prompts/` or the config's path);
        the previous text is kept in `prompts/.history/`."""
        target = (
            Path(self.sources[role])
            if not self.sources[role].startswith("<")
            else default_prompts_dir() / DEFAULT_FILES[role]
        )
        history = target.parent / ".history"
        history.mkdir(exist_ok=True)
        if target.exists():
            shutil.copy2(target, history / f"{target.name}.{time.strftime('%Y%m%d-%H%M%S')}")
        target.write_text(self.editors[role].value, encoding="utf-8")
        self.status.value = f"saved {role} prompt to {target} (previous copy in {history})"
        return target
