"""SQLite and file-system errors of the call cache, as one line that says what to do."""

from __future__ import annotations

import errno
from pathlib import Path

from workbench.errors import WorkbenchError


class CacheError(WorkbenchError):
    """The call cache cannot be opened, read or written (one line naming the file and the way out)."""

    def __init__(self, message: str, kind: str = "failed"):
        super().__init__(message)
        self.kind = kind
        """damaged, locked, full, read_only or failed."""


def kind_of(exc: BaseException) -> str:
    """What went wrong, from a sqlite3 or OS error: damaged, locked, full, read_only or failed."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if (
        name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        or "malformed" in text
        or "not a database" in text
        or isinstance(exc, UnicodeError)  # SQLite's own text (schema, messages) is garbled
    ):
        return "damaged"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "locked"
    if name == "SQLITE_FULL" or "disk is full" in text or code in (errno.ENOSPC, errno.EDQUOT):
        return "full"
    if (
        name.startswith("SQLITE_READONLY")
        or "readonly" in text
        or code in (errno.EACCES, errno.EROFS, errno.EPERM)
    ):
        return "read_only"
    return "failed"


def explain(path: Path, exc: BaseException, doing: str, timeout_s: float) -> CacheError:
    """One line for `exc`, raised while `doing` (opening, reading, writing) the cache at `path`."""
    kind = kind_of(exc)
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    aside = f"move {path} aside"
    nocache = "run with --no-cache"
    if kind == "damaged":
        what = (
            f"the call cache {path} is damaged ({detail}): run `workbench cache verify --fix "
            f"--path {path}` to keep its intact entries, or {aside}, or {nocache}"
        )
    elif kind == "locked":
        what = (
            f"the call cache {path} is locked by another process (waited {timeout_s:g} s while "
            f"{doing}): let that process finish, set cache.path to another file, or {nocache}"
        )
    elif kind == "full":
        what = (
            f"no space left for the call cache {path} ({detail}): free space, "
            f"`workbench cache prune --older-than 30d --path {path}`, set cache.path to a file "
            f"on another disk, or {nocache}"
        )
    elif kind == "read_only":
        what = (
            f"the call cache {path} cannot be written ({detail}): fix its permissions, "
            f"set cache.path to a writable file, or {nocache}"
        )
    elif doing == "opening it":
        what = (
            f"cannot open the call cache {path} ({type(exc).__name__}: {detail}): set "
            f"cache.path to a usable file, or {nocache}"
        )
    else:
        what = (
            f"the call cache {path} failed while {doing} ({type(exc).__name__}: {detail}): "
            f"`workbench cache verify --path {path}`, {aside}, or {nocache}"
        )
    return CacheError(what, kind)
