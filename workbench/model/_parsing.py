"""Tolerant parsing of model output into typed records. Output is data, never code.

Handles fenced JSON, prose around the object, raw newlines inside strings,
trailing commas and Python-style literals. Anything else is a validation error
that the caller may send back to the model once.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}


class ParseError(ValueError):
    """Output could not be turned into the expected record; the message says why."""


def extract_json(text: str) -> object:
    """The first JSON object in `text`, tolerating the usual model formatting noise."""
    if not text or not text.strip():
        raise ParseError("the reply was empty")
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    last_error = "no JSON object found"
    for candidate in candidates:
        for span in _objects(candidate):
            for attempt in (span, _repair(span)):
                try:
                    value = json.loads(attempt, strict=False)
                except json.JSONDecodeError as exc:
                    last_error = f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                    continue
                except RecursionError:
                    last_error = "JSON nested too deeply"
                    continue
                if isinstance(value, dict):
                    return value
    if "{" in text and not any(True for _ in _objects(text)):
        closed = _close(text[text.find("{") :])
        for attempt in (closed, _repair(closed)):
            try:
                value = json.loads(attempt, strict=False)
            except (json.JSONDecodeError, RecursionError):
                continue
            if isinstance(value, dict):
                return value
        last_error = "the JSON object is not closed (output cut off?)"
    raise ParseError(last_error)


def _close(text: str) -> str:
    """A cut-off JSON object completed: the open string and brackets closed, a dangling key or
    comma dropped. Whatever is still missing is left for validation to reject."""
    stack: list[str] = []
    scan = _Scan(text)
    for _, ch in scan:
        if ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    out = text + ('"' if scan.in_string else "")
    out = re.sub(r'(,\s*"[^"]*"\s*:?\s*|,\s*|:\s*)$', "", out.rstrip())
    return out + "".join(reversed(stack))


def parse_model(text: str, model: type[T]) -> T:
    """Extract JSON from `text` and validate it as `model`, with a one-line error on failure."""
    data = extract_json(text)
    try:
        return model.model_validate(data)
    except RecursionError:
        raise ParseError("JSON nested too deeply") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ParseError(f"{loc}: {err['msg']} ({exc.error_count()} problem(s))") from None


def _objects(text: str, limit: int = 20):
    """Balanced `{...}` spans, outermost first, skipping braces inside strings."""
    start = text.find("{")
    tried = 0
    while start != -1 and tried < limit:
        tried += 1
        end = _matching_brace(text, start)
        if end is None:
            return
        yield text[start : end + 1]
        start = text.find("{", start + 1)


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    for i, ch in _Scan(text, start):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


class _Scan:
    """(index, character) for every character of `text` outside JSON strings (quotes excluded);
    `in_string` tells afterwards whether the text ended inside a string."""

    def __init__(self, text: str, start: int = 0):
        self.text, self.start, self.in_string = text, start, False

    def __iter__(self):
        escaped = False
        for i in range(self.start, len(self.text)):
            ch = self.text[i]
            if self.in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    self.in_string = False
            elif ch == '"':
                self.in_string = True
            else:
                yield i, ch


def _repair(span: str) -> str:
    """Fix trailing commas and Python literals outside strings."""
    out = []
    for i, part in enumerate(re.split(r'("(?:[^"\\]|\\.)*")', span, flags=re.DOTALL)):
        if i % 2 == 0:
            part = _TRAILING_COMMA.sub(r"\1", part)
            for py, js in _PY_LITERALS.items():
                part = re.sub(rf"\b{py}\b", js, part)
        out.append(part)
    return "".join(out)
