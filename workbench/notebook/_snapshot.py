"""Widgets in a headless report: a static HTML snapshot of each widget's last state.

An executed notebook stores its widgets as state (metadata.widgets), which only a widget
manager loaded from a CDN can draw. Instead, each widget output gets a `text/html` rendering
of that state (boxes, sliders, checkboxes, dropdowns, progress bars, HTML, buttons, plotly
FigureWidgets), which nbconvert shows in place of the widget's text repr. No JavaScript is
needed except plotly's for figures, which the report already embeds.
"""

from __future__ import annotations

import base64
import html
import json
import uuid
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLOTLY_SNAPSHOT = "wb-plotly-snapshot"
"""Marks a figure drawn from a FigureWidget's state (the report then needs plotly.js)."""

_STYLE = (
    "<style>.wb-snapshot{font-size:13px;margin:2px 0}.wb-snapshot label{min-width:120px;"
    "display:inline-block}.wb-snapshot-box{display:flex;gap:8px;align-items:flex-start}"
    ".wb-snapshot-vbox{flex-direction:column}</style>"
)


def add_snapshots(nb: dict) -> int:
    """Give every widget output in `nb` a text/html snapshot; return how many. Edits `nb`."""
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") in state:
                output["data"]["text/html"] = _STYLE + Snapshot(state).render(view["model_id"])
                count += 1
    return count


class Snapshot:
    """Renders one model (and its children) from the stored widget state."""

    def __init__(self, state: dict[str, Any]):
        self.state = state

    def render(self, model_id: str) -> str:
        model = self.state.get(model_id)
        if model is None:
            return ""
        s = _with_buffers(model)
        layout = self.state.get(_ref(s.get("layout")) or "", {}).get("state", {})
        if layout.get("display") == "none" or layout.get("visibility") == "hidden":
            return ""
        name = model.get("model_name", "")
        inner = self._inner(name, s)
        classes = " ".join(["wb-snapshot", *map(html.escape, s.get("_dom_classes", []))])
        return f"<div class='{classes}' data-widget='{html.escape(name)}'>{inner}</div>"

    def _inner(self, name: str, s: dict[str, Any]) -> str:
        label = _label(s)
        if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel"):
            direction = "wb-snapshot-vbox" if name == "VBoxModel" else ""
            children = "".join(self.render(_ref(c) or "") for c in s.get("children", []))
            return f"<div class='wb-snapshot-box {direction}'>{children}</div>"
        if name in ("TabModel", "AccordionModel", "StackModel"):
            titles = list(s.get("titles", []))
            parts = []
            for i, child in enumerate(s.get("children", [])):
                title = titles[i] if i < len(titles) and titles[i] else f"{i + 1}"
                parts.append(f"<h4>{html.escape(str(title))}</h4>{self.render(_ref(child) or '')}")
            return "".join(parts)
        if name in ("HTMLModel", "HTMLMathModel"):
            return label + str(s.get("value", ""))  # widget HTML: escaped by whoever set it
        if name in ("LabelModel", "TextModel", "PasswordModel", "ComboboxModel"):
            return label + f"<span>{html.escape(str(s.get('value', '')))}</span>"
        if name == "TextareaModel":
            return label + f"<pre>{html.escape(str(s.get('value', '')))}</pre>"
        if name.endswith("SliderModel") or name in ("BoundedIntTextModel", "BoundedFloatTextModel"):
            return label + self._slider(s)
        if name in ("IntTextModel", "FloatTextModel"):
            return label + f"<span>{html.escape(str(s.get('value')))}</span>"
        if name.endswith("ProgressModel"):
            value, top = s.get("value", 0), s.get("max", 1)
            return label + (
                f"<progress value='{html.escape(str(value))}' max='{html.escape(str(top))}'>"
                f"</progress> <span>{html.escape(str(value))}/{html.escape(str(top))}</span>"
            )
        if name in ("CheckboxModel", "ToggleButtonModel", "ValidModel"):
            mark = "☑" if s.get("value") else "☐"
            return f"<span>{mark} {html.escape(str(s.get('description', '')))}</span>"
        if name == "ButtonModel":
            disabled = " disabled" if s.get("disabled") else ""
            text = html.escape(str(s.get("description", "")))
            return f"<button{disabled}>{text}</button>"
        if "_options_labels" in s:
            return label + self._choice(s)
        if name == "OutputModel":
            return "".join(self._output(o) for o in s.get("outputs", []))
        if name == "AnyModel" and "_widget_data" in s:
            return self._figure(s)
        return label + f"<i>({html.escape(name.removesuffix('Model'))})</i>"

    def _slider(self, s: dict[str, Any]) -> str:
        value = s.get("value")
        shown = (
            " – ".join(_format(v, s.get("readout_format")) for v in value)
            if isinstance(value, list)
            else _format(value, s.get("readout_format"))
        )
        disabled = " (off)" if s.get("disabled") else ""
        return (
            f"<span class='wb-snapshot-value'>{html.escape(shown)}</span>"
            f" <small>[{html.escape(str(s.get('min')))}, {html.escape(str(s.get('max')))}]"
            f"{disabled}</small>"
        )

    def _choice(self, s: dict[str, Any]) -> str:
        labels = list(s.get("_options_labels", []))
        index = s.get("index")
        chosen = set(index) if isinstance(index, list) else {index}
        shown = [
            labels[i] for i in sorted(i for i in chosen if isinstance(i, int)) if i < len(labels)
        ]
        return f"<span class='wb-snapshot-value'>{html.escape(', '.join(map(str, shown)))}</span>"

    def _output(self, output: dict[str, Any]) -> str:
        kind = output.get("output_type")
        if kind == "stream":
            return f"<pre>{html.escape(_text(output.get('text', '')))}</pre>"
        if kind == "error":
            return f"<pre>{html.escape(output.get('ename', ''))}: {html.escape(output.get('evalue', ''))}</pre>"
        data = output.get("data", {})
        if WIDGET_VIEW in data:
            return self.render(data[WIDGET_VIEW].get("model_id", ""))
        if "text/html" in data:
            return _text(data["text/html"])
        if "image/png" in data:
            return f"<img src='data:image/png;base64,{_text(data['image/png']).strip()}'>"
        return f"<pre>{html.escape(_text(data.get('text/plain', '')))}</pre>"

    def _figure(self, s: dict[str, Any]) -> str:
        """A plotly FigureWidget as a static plotly chart, drawn once plotly.js has loaded."""
        div = f"wb-fig-{uuid.uuid4().hex}"
        figure = json.dumps(
            {"data": s.get("_widget_data", []), "layout": s.get("_widget_layout", {})},
            default=str,
        ).replace("</", "<\\/")
        return (
            f"<div id='{div}' class='plotly-graph-div {PLOTLY_SNAPSHOT}'></div><script>"
            f"window.addEventListener('load', function () {{ var f = {figure};"
            f" Plotly.newPlot('{div}', f.data, f.layout, {{responsive: true}}); }});</script>"
        )


def _ref(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return value.removeprefix("IPY_MODEL_")
    return None


def _label(s: dict[str, Any]) -> str:
    text = s.get("description") or ""
    return f"<label>{html.escape(str(text))}</label> " if text else ""


def _format(value: Any, spec: str | None) -> str:
    try:
        return format(value, spec or "")
    except (TypeError, ValueError):
        return str(value)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _with_buffers(model: dict[str, Any]) -> dict[str, Any]:
    """The model's state with its binary buffers (numpy arrays of a figure) put back as lists."""
    state = model.get("state", {})
    buffers = model.get("buffers") or []
    if not buffers:
        return state
    state = json.loads(json.dumps(state))
    for buffer in buffers:
        raw = base64.b64decode(buffer.get("data", ""))
        *parents, last = buffer["path"]
        target: Any = state
        try:
            for key in parents:
                target = target[key]
            target[last] = raw
        except (KeyError, IndexError, TypeError):
            continue  # a buffer of a message field since reset (e.g. _py2js_addTraces)
    return _arrays(state)


def _arrays(value: Any) -> Any:
    """plotly's serialized numpy arrays ({dtype, shape, buffer: bytes}) as plain lists."""
    if isinstance(value, dict):
        if isinstance(value.get("buffer"), bytes) and "dtype" in value:
            import numpy as np

            array = np.frombuffer(value["buffer"], dtype=value["dtype"])
            if value.get("shape"):
                array = array.reshape(value["shape"])
            return array.tolist()
        return {k: _arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_arrays(v) for v in value]
    return value
