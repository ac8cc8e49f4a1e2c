"""Audits on record, per judge: `judge_audits.json` next to the call cache (the machine's memory
of its endpoints, like the structured-output modes), read by `workbench run`'s hint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.config import ModelSpec

FILE_NAME = "judge_audits.json"


def registry_path(cache_path: str | Path | None = None) -> Path:
    """Where audits are on record: beside `cache.path`, else beside the default call cache."""
    from workbench.model import default_path

    return Path(cache_path or default_path()).parent / FILE_NAME


def judge_key(spec: ModelSpec) -> str:
    """A judge is its model string on its endpoint: `model` or `model @ api_base`."""
    return f"{spec.model} @ {spec.api_base}" if spec.api_base else spec.model


def read_audits(path: Path) -> dict[str, dict[str, Any]]:
    """The latest audit per judge key; a missing or unreadable file is no audit on record."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def audit_entry(report: dict[str, Any], report_path: Path) -> dict[str, Any]:
    """What is kept on record of one audit (the figures stay in its judge_audit.json)."""
    return {
        "model": report["judge"]["model"],
        "api_base": report["judge"]["api_base"],
        "at": report["at"],
        "verdict": report["verdict"],
        "reasons": report["reasons"][:5],
        "tasks": len(report["tasks"]),
        "true_positive_rate": report["true_positive_rate"],
        "false_positive_rate": report["false_positive_rate"],
        "judge_prompt_sha256": report["judge_prompt_sha256"],
        "report": str(report_path.resolve()),
    }


def record_audit(path: Path, spec: ModelSpec, entry: dict[str, Any]) -> None:
    """Put an audit on record as the judge's latest."""
    from workbench.records import write_json_atomic

    audits = read_audits(path)
    audits[judge_key(spec)] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, audits)


def audit_hint(spec: ModelSpec, audits: dict[str, dict[str, Any]], command: str) -> str | None:
    """One line for `workbench run` about a judge: none for the simulator or a judge whose
    latest audit passed; else a hint to audit it (`command`), or that its latest audit failed."""
    if spec.model.startswith("sim/"):
        return None
    entry = audits.get(judge_key(spec))
    if not isinstance(entry, dict):
        return (
            f"hint: the judge {spec.model} has no audit on record; measure it before spending: "
            f"{command}"
        )
    if entry.get("verdict") == "pass":
        return None
    reasons = "; ".join(str(r) for r in entry.get("reasons") or [])[:200]
    return (
        f"warning: the judge {spec.model} failed its latest audit ({entry.get('at', '?')}: "
        f"{reasons or 'no reason recorded'}); see {entry.get('report', '?')}"
    )
