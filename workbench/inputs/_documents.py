"""Source documents: .txt/.md files, folders of them, or .jsonl with a `text` field.

Every document is read and checked before any model call: a missing, empty,
binary, non-UTF-8 or oversized document is a one-line error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench._bundled import bundled
from workbench.errors import DocumentError

TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = (*TEXT_SUFFIXES, ".jsonl")
LONG_EXAMPLE = "us-constitution.txt"


@dataclass(frozen=True)
class Document:
    """One source document (or one section of a long one) the loop writes tasks from."""

    id: str
    """Its id in every record (a section's: `<parent>#s<k>`)."""
    text: str
    """Its text."""
    source: str
    """Where it was read from (a path, `path:line` for .jsonl, `<python>`)."""
    parent: str | None = None
    """For a section of a long document: the id of that document (None otherwise)."""


def default_docs_dir() -> Path:
    """The bundled example documents (the US Constitution, public domain)."""
    found = bundled("docs")
    if found is None:
        raise DocumentError("the bundled example documents are missing from this installation")
    return found


def long_example() -> Path:
    """The bundled long document: the whole US Constitution in one file (public domain), to
    try `documents.chunk_tokens` on; the default run does not read it."""
    found = bundled("long")
    if found is None or not (found / LONG_EXAMPLE).is_file():
        raise DocumentError("the bundled long example document is missing from this installation")
    return found / LONG_EXAMPLE


def load_documents(items: Iterable[Any] | None, max_chars: int) -> list[Document]:
    """Documents from paths (files or folders), Document objects, or {"id", "text"} dicts."""
    items = list(items) if items is not None else [default_docs_dir()]
    if not items:
        raise DocumentError("no documents given")
    docs: list[Document] = []
    for item in items:
        if isinstance(item, Document):
            checked = _checked(item.id, item.text, item.source, max_chars)
            docs.append(replace(checked, parent=item.parent))
        elif isinstance(item, dict):
            docs.append(_from_mapping(item, "<python>", 0, max_chars))
        else:
            docs.extend(_from_path(Path(item), max_chars))
    check_unique(docs)
    return docs


def check_unique(docs: list[Document]) -> None:
    """No two documents (or sections) share an id."""
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.id in seen:
            raise DocumentError(
                f"two documents share the id {doc.id!r}: {seen[doc.id]} and {doc.source}"
            )
        seen[doc.id] = doc.source


def fingerprint(docs: list[Document]) -> str:
    """A hash of every document's id and text, to detect changed inputs on resume."""
    h = hashlib.sha256()
    for doc in docs:
        h.update(doc.id.encode() + b"\0" + hashlib.sha256(doc.text.encode()).digest())
    return h.hexdigest()


def _from_path(path: Path, max_chars: int) -> list[Document]:
    if not path.exists():
        raise DocumentError(f"no such document or folder: {path}")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise DocumentError(f"{path}: folder has no .txt, .md or .jsonl documents")
        out: list[Document] = []
        for f in files:
            out.extend(_from_file(f, max_chars, root=path))
        return out
    return _from_file(path, max_chars, root=path.parent)


def _from_file(path: Path, max_chars: int, root: Path) -> list[Document]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(
            f"{path}: unsupported document type {suffix or '(none)'} (use .txt, .md or .jsonl)"
        )
    size = path.stat().st_size
    if size > max_chars * 4 + 1024 and suffix != ".jsonl":
        raise DocumentError(
            f"{path}: {size / 1e6:.1f} MB is over the {max_chars:,}-character limit (documents.max_chars)"
        )
    data = path.read_bytes()
    text = _decode(data, str(path))
    if suffix == ".jsonl":
        return _from_jsonl(text, path, max_chars)
    doc_id = str(path.relative_to(root).with_suffix("")) if path.is_relative_to(root) else path.stem
    return [_checked(doc_id, text, str(path), max_chars)]


def _from_jsonl(text: str, path: Path, max_chars: int) -> list[Document]:
    from workbench.inputs._jsonl import input_rows

    docs = []
    for n, row in input_rows(text, path, DocumentError):
        docs.append(_from_mapping(row, str(path), n, max_chars, default_id=f"{path.stem}:{n}"))
    if not docs:
        raise DocumentError(f"{path}: empty document file")
    return docs


def _from_mapping(
    row: dict, source: str, line: int, max_chars: int, default_id: str | None = None
) -> Document:
    where = f"{source}:{line}" if line else source
    text = row.get("text")
    if not isinstance(text, str):
        raise DocumentError(f'{where}: needs a "text" field holding a string')
    doc_id = str(row.get("id") or default_id or hashlib.sha256(text.encode()).hexdigest()[:12])
    return _checked(doc_id, text, where, max_chars)


def _decode(data: bytes, where: str) -> str:
    if b"\0" in data[:8192]:
        raise DocumentError(f"{where}: looks binary (NUL bytes); documents must be UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{where}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _checked(doc_id: str, text: str, where: str, max_chars: int) -> Document:
    if "\0" in text:
        raise DocumentError(f"{where}: looks binary (NUL characters); documents must be text")
    if not text.strip():
        raise DocumentError(f"{where}: document is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. "\ud800" escaped in a .jsonl line
        raise DocumentError(f"{where}: not valid Unicode (lone surrogate characters)") from None
    if len(text) > max_chars:
        raise DocumentError(
            f"{where}: {len(text):,} characters is over the {max_chars:,}-character limit (documents.max_chars)"
        )
    return Document(doc_id, text, where)
