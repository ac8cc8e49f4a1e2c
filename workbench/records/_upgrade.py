"""Records of older formats, upgraded to today's on read. Pure functions over JSON objects.

Format 0 (workbench 0.1, unversioned): a round's rollouts were `weak_attempts` /
`strong_attempts`; a call's rollout index was `attempt` and its retry attempt `try`.
"""

from __future__ import annotations

from typing import Any

from workbench.records._types import FORMAT_VERSION


def version_of(data: dict[str, Any]) -> int:
    """A record's format version (0 when it carries none)."""
    v = data.get("format_version", 0)
    return v if isinstance(v, int) and not isinstance(v, bool) else -1


def upgrade(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a record of file kind `kind`) in today's format; newer formats are left alone
    (validation then names what it does not know)."""
    if version_of(data) != 0:
        return data
    out = dict(data)
    if kind == "rounds":
        for side in ("weak", "strong"):
            if f"{side}_attempts" in out:
                out[f"{side}_rollouts"] = out.pop(f"{side}_attempts")
    elif kind == "summary":
        out["upgraded_from"] = 0
    elif kind == "calls" and "try" in out:
        out["rollout"] = out.pop("attempt", 0)
        out["attempt"] = out.pop("try")
    out["format_version"] = FORMAT_VERSION
    return out
