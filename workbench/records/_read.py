"""Reading a run directory's records back: every line parsed to its typed record, older formats
upgraded, and anything else a one-line error naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from workbench.errors import RunDirError
from workbench.records._filtered import FilterRecord
from workbench.records._jsonl import numbered_lines
from workbench.records._reviews import Review
from workbench.records._types import FORMAT_VERSION, CallRecord, Example, RoundRecord, Summary
from workbench.records._upgrade import upgrade, version_of

M = TypeVar("M", bound=BaseModel)

KINDS: dict[str, type[BaseModel]] = {
    "calls": CallRecord,
    "rounds": RoundRecord,
    "accepted": Example,
    "reviews": Review,
    "filtered": FilterRecord,
    "summary": Summary,
}


def parse_record(kind: str, data: object, where: str) -> BaseModel:
    """One JSON value as the typed record of file kind `kind`, or RunDirError at `where`."""
    if not isinstance(data, dict):
        raise RunDirError(f"{where}: not a record (a JSON object was expected)")
    version = version_of(data)
    if version > FORMAT_VERSION or version < 0:
        raise RunDirError(
            f"{where}: record format {data.get('format_version')!r} is not one this release "
            f"reads (0..{FORMAT_VERSION}); upgrade the workbench"
        )
    try:
        return KINDS[kind].model_validate(upgrade(kind, data))
    except ValidationError as exc:
        raise RunDirError(f"{where}: not a valid {kind} record ({_first_error(exc)})") from None


def read_records(path: Path, kind: str) -> list:
    """Every complete line of a record file as its typed record (a torn last line is dropped)."""
    out = []
    for n, line in numbered_lines(path):
        where = f"{path}:{n}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            raise RunDirError(f"{where}: corrupt record in the middle of the file") from None
        out.append(parse_record(kind, data, where))
    return out


def read_summary(path: Path) -> Summary:
    """summary.json as a typed Summary."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunDirError(f"{path}: unreadable summary ({exc})") from None
    return parse_record("summary", data, str(path))


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "record"
    return f"{where}: {err.get('msg', 'invalid')}"
