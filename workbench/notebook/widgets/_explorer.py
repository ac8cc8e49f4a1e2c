"""Move a threshold, see acceptance re-decided over the stored rounds at once (no model calls)."""

from __future__ import annotations

import html
import typing

import ipywidgets as w
import plotly.graph_objects as go
from pydantic import ValidationError

from workbench.analysis import (
    decision_counts,
    decisions_bar,
    documents_accepted,
    flips,
    redecide,
    weak_vs_strong,
)
from workbench.config import EPS, PRESETS, Thresholds, min_p_value, smallest_rollouts
from workbench.records import Run


def _kinds() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The threshold fields with a 0..1 slider (every float but alpha) and with a checkbox
    (every bool), read off `Thresholds`: a field a new preset brings gets its control."""
    units, flags = [], []
    for key, field in Thresholds.model_fields.items():
        args = typing.get_args(field.annotation) or (field.annotation,)
        if bool in args:
            flags.append(key)
        elif float in args and key != "alpha":
            units.append(key)
    return tuple(units), tuple(flags)


UNIT_KEYS, FLAG_KEYS = _kinds()
STORED = "stored run"
"""The preset dropdown's first entry: the run's own thresholds; the others are `PRESETS`."""


def preset_values(name: str) -> dict:
    """A preset's threshold values (`PRESETS[name]`), only the fields `Thresholds` has."""
    return {
        k: v for k, v in PRESETS[name].items() if k in Thresholds.model_fields and k != "preset"
    }


class ThresholdExplorer:
    """Sliders for every threshold, a preset dropdown, alpha and a rollout subsample.

    Every change re-decides the run's stored rounds with `acceptance.decide`
    and updates the counts, the charts (plotly FigureWidgets, in place) and the
    list of rounds whose decision flips.
    """

    def __init__(self, run: Run):
        self.run = run
        self.rounds = run.rounds
        self.stored = run.config.thresholds()
        self.planned = run.config.planned_rollouts()
        self.max_rollouts = max(self.planned.values())
        self.preset = w.Dropdown(options=[STORED, *PRESETS], value=STORED, description="preset")
        self.others: dict = {}
        self.sliders: dict[str, w.FloatSlider] = {}
        self.enabled: dict[str, w.Checkbox] = {}
        for key in UNIT_KEYS:
            self.sliders[key] = w.FloatSlider(
                min=0,
                max=1,
                step=0.01,
                description=key,
                continuous_update=False,
                style={"description_width": "120px"},
                layout=w.Layout(width="420px"),
            )
            self.sliders[key].add_class(f"wb-slider-{key}")
            self.enabled[key] = w.Checkbox(
                description="on", indent=False, layout=w.Layout(width="60px")
            )
            self.enabled[key].add_class(f"wb-enable-{key}")
        self.sliders["alpha"] = w.FloatSlider(
            min=0.001,
            max=0.5,
            step=0.001,
            readout_format=".3f",
            description="alpha",
            continuous_update=False,
            style={"description_width": "120px"},
            layout=w.Layout(width="420px"),
        )
        self.sliders["alpha"].add_class("wb-slider-alpha")
        self.enabled["alpha"] = w.Checkbox(
            description="on", indent=False, layout=w.Layout(width="60px")
        )
        self.enabled["alpha"].add_class("wb-enable-alpha")
        self.flags = {k: w.Checkbox(description=k, indent=False) for k in FLAG_KEYS}
        for key, box in self.flags.items():
            box.add_class(f"wb-flag-{key}")
        self.rollouts = w.IntSlider(
            min=1,
            max=self.max_rollouts,
            value=self.max_rollouts,
            description="rollouts used",
            continuous_update=False,
            style={"description_width": "120px"},
        )
        self.rollouts.add_class("wb-rollouts")
        self.preset.add_class("wb-preset")
        self.counts = w.HTML()
        self.counts.add_class("wb-accepted-count")
        self.flip_list = w.HTML(layout=w.Layout(max_height="320px", overflow="auto"))
        # Both charts size themselves to their box (autosize); the boxes wrap onto two lines
        # when the notebook is too narrow for both, so no bar is ever cut off.
        self.scatter = go.FigureWidget(
            _fit(weak_vs_strong(self.rounds, self.stored)),
            layout=w.Layout(flex="1 1 520px", min_width="420px", max_width="760px"),
        )
        self.bars = go.FigureWidget(
            _fit(decisions_bar(decision_counts(self.rounds), "Decisions under these thresholds")),
            layout=w.Layout(flex="1 1 420px", min_width="380px", max_width="640px"),
        )
        self.scatter.add_class("wb-explorer-scatter")
        self.bars.add_class("wb-explorer-bars")
        self.unreachable = w.HTML()
        self.unreachable.add_class("wb-unreachable")
        self.accepted = 0
        self._updating = False
        self.load(self.stored)
        self.preset.observe(self._on_preset, "value")
        for key, box in self.enabled.items():
            box.observe(
                lambda change, key=key: setattr(self.sliders[key], "disabled", not change["new"]),
                "value",
            )
        for control in (
            *self.sliders.values(),
            *self.enabled.values(),
            *self.flags.values(),
            self.rollouts,
        ):
            control.observe(lambda _: self.update(), "value")
        rows = [w.HBox([self.sliders[k], self.enabled[k]]) for k in (*UNIT_KEYS, "alpha")]
        controls = w.VBox([self.preset, *rows, w.HBox(list(self.flags.values())), self.rollouts])
        self.widget = w.VBox(
            [
                w.HBox(
                    [controls, w.VBox([self.counts, self.unreachable, self.flip_list])],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                w.HBox([self.scatter, self.bars], layout=w.Layout(flex_flow="row wrap")),
            ]
        )
        self.update()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def load(self, t: Thresholds | dict) -> None:
        """Set every control from thresholds or a preset's values (one update at the end);
        a field without a control is carried as it is."""
        values = t.model_dump() if isinstance(t, Thresholds) else dict(t)
        controlled = {*UNIT_KEYS, "alpha", *FLAG_KEYS, "preset"}
        self.others = {k: v for k, v in values.items() if k not in controlled}
        self._updating = True
        try:
            for key in (*UNIT_KEYS, "alpha"):
                value = values.get(key)
                self.enabled[key].value = value is not None
                self.sliders[key].disabled = value is None
                if value is not None:
                    self.sliders[key].value = value
            for key in FLAG_KEYS:
                self.flags[key].value = bool(values.get(key))
        finally:
            self._updating = False

    def thresholds(self) -> Thresholds:
        """The thresholds the controls describe (raises ValidationError if inconsistent)."""
        values = {
            k: (self.sliders[k].value if self.enabled[k].value else None)
            for k in (*UNIT_KEYS, "alpha")
        }
        values.update({k: self.flags[k].value for k in FLAG_KEYS})
        return Thresholds(preset=self.stored.preset, **self.others, **values)

    def _on_preset(self, change) -> None:
        if change["new"] == STORED:
            self.load(self.stored)
            self._updating = True
            try:
                self.rollouts.value = self.max_rollouts  # the run's own count
            finally:
                self._updating = False
        else:
            self.load(preset_values(change["new"]))
        self.update()

    def update(self) -> None:
        """Re-decide every stored round and refresh counts, charts and flips."""
        if self._updating:
            return
        try:
            t = self.thresholds()
        except ValidationError as exc:
            self.counts.value = (
                f"<b style='color:#d62728'>{html.escape(exc.errors()[0]['msg'])}</b>"
            )
            return
        used = {side: min(k, self.rollouts.value) for side, k in self.planned.items()}
        self.unreachable.value = _unreachable(t, used["weak"], used["strong"])
        decided = redecide(self.rounds, t, self.rollouts.value)
        counts = decision_counts(decided)
        self.accepted = int(counts["accepted"])
        stored = int((self.rounds["decision"] == "accepted").sum())
        changed = flips(decided)
        undecided = int(counts.get("strong_not_run", 0))
        self.counts.value = (
            f"<b>accepted rounds: <span class='wb-accepted'>{self.accepted}</span></b> (stored run: {stored}) · "
            f"documents with an accepted round: {documents_accepted(decided)} of {self.rounds['doc_id'].nunique()} · "
            f"flips: {len(changed)}"
            + (f" · {undecided} rounds would need strong answers" if undecided else "")
        )
        self.flip_list.value = _flip_table(changed)
        fresh = weak_vs_strong(decided, t)
        fresh_bars = decisions_bar(counts)
        with self.scatter.batch_update():
            self.scatter.data = []
            self.scatter.add_traces(list(fresh.data))
            self.scatter.layout.shapes = fresh.layout.shapes
            self.scatter.layout.annotations = fresh.layout.annotations
            self.scatter.layout.title = fresh.layout.title
        with self.bars.batch_update():
            self.bars.data[0].x = list(counts.index)
            self.bars.data[0].y = list(counts.values)
            self.bars.data[0].text = list(counts.values)
            self.bars.data[0].marker.color = fresh_bars.data[0].marker.color
            self.bars.layout.yaxis.dtick = fresh_bars.layout.yaxis.dtick


def _fit(fig: go.Figure) -> go.Figure:
    """Let the figure take its box's width."""
    fig.update_layout(autosize=True, width=None)
    return fig


def _unreachable(t: Thresholds, rollouts: int, strong_rollouts: int | None = None) -> str:
    """A warning when alpha is below the smallest p-value these rollouts can give (`rollouts`
    weak, and strong unless `strong_rollouts` says otherwise)."""
    strong = rollouts if strong_rollouts is None else strong_rollouts
    smallest = min_p_value(strong, rollouts)
    if t.alpha is None or smallest <= t.alpha + EPS:
        return ""
    counts = (
        f"{rollouts} rollouts per side"
        if strong == rollouts
        else f"{rollouts} weak and {strong} strong rollouts"
    )
    return (
        "<b style='color:#d62728'>no round can be accepted: alpha "
        f"{t.alpha:g} cannot be reached with {counts} (smallest possible "
        f"p-value {smallest:.3g}); use at least "
        f"{smallest_rollouts(t.alpha)} rollouts, a larger alpha, or switch alpha off</b>"
    )


def _flip_table(changed) -> str:
    if changed.empty:
        return "<i>no round changes decision</i>"
    rows = "".join(
        f"<tr><td>{html.escape(r.doc_id)}</td><td>{r.round}</td><td>{r.stored_decision}</td>"
        f"<td>→ {r.decision}</td></tr>"
        for r in changed.head(30).itertuples()
    )
    more = f"<br><i>and {len(changed) - 30} more</i>" if len(changed) > 30 else ""
    return (
        f"<table><tr><th>doc</th><th>round</th><th>stored</th><th>now</th></tr>{rows}</table>{more}"
    )
