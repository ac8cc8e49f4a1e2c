"""documents.json: the ids (and text digests) of a run's documents, written when the run
directory is made, so every later reader can tell a round of the run from a stray one.

Runs made before it (record formats 0 and 1 without the file) have only a count and a
fingerprint of their documents: their doc_ids are checked when a resume reloads the
documents (and the file is then written), and otherwise only their number is."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from workbench.errors import RunDirError
from workbench.records._jsonl import resume_hint, write_json_atomic
from workbench.records._types import FORMAT_VERSION

MANIFEST = "documents.json"


def manifest(documents: list[Any]) -> dict[str, Any]:
    """documents.json's content for Documents (anything with `id` and `text`)."""
    return {
        "format_version": FORMAT_VERSION,
        "documents": [
            {"id": d.id, "sha256": hashlib.sha256(d.text.encode()).hexdigest()} for d in documents
        ],
    }


def write_manifest(run_dir: Path, documents: list[Any]) -> None:
    write_json_atomic(Path(run_dir) / MANIFEST, manifest(documents), resume_hint(run_dir))


def manifest_fingerprint(data: dict[str, Any]) -> str:
    """The documents' fingerprint (as `workbench.inputs.fingerprint` computes it from the
    documents themselves) from a manifest's ids and digests."""
    h = hashlib.sha256()
    for d in data["documents"]:
        h.update(d["id"].encode() + b"\0" + bytes.fromhex(d["sha256"]))
    return h.hexdigest()


def read_manifest(run_dir: Path, fingerprint: str | None) -> set[str] | None:
    """The run's document ids, or None when the run has no documents.json (an older run).
    The manifest must agree with config.json's `fingerprint` of the documents."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = [d["id"] for d in data["documents"]]
        agrees = fingerprint is None or manifest_fingerprint(data) == fingerprint
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunDirError(f"{path}: not a documents manifest ({type(exc).__name__})") from None
    if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        raise RunDirError(f"{path}: not a documents manifest (ids must be distinct strings)")
    if not agrees:
        raise RunDirError(f"{path}: does not match the documents config.json records (edited?)")
    return set(ids)
