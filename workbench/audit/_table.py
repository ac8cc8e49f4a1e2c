"""judge_audit.json as a terminal table and as rows for a DataFrame (pure)."""

from __future__ import annotations

from typing import Any

from workbench.audit._answers import REFERENCE


def table_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per answer kind: kind, should_pass, graded, errors, mean_score, pass_rate."""
    return [
        {
            "kind": kind,
            "should_pass": f["should_pass"],
            "graded": f["graded"],
            "errors": f["errors"],
            "mean_score": f["mean_score"],
            "pass_rate": f["pass_rate"],
        }
        for kind, f in report["kinds"].items()
    ]


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table(report: dict[str, Any]) -> str:
    """The audit as the terminal shows it: a header, one line per answer kind, the verdict."""
    judge = report["judge"]["model"]
    n = len(report["tasks"])
    lines = [
        f"judge {judge} on {n} task{'' if n == 1 else 's'} ({report['judge_mode']}); "
        f"an answer passes at score >= {report['pass_score']:.2f}",
        f"{'answer':22s} {'should':>6s} {'graded':>7s} {'mean score':>10s} {'passed':>7s}",
    ]
    for kind, f in report["kinds"].items():
        label = f"{kind} (TPR)" if kind == REFERENCE else kind
        lines.append(
            f"{label:22s} {'pass' if f['should_pass'] else 'fail':>6s} "
            f"{f['graded']:>3d}/{f['answers']:<3d} {_score(f['mean_score']):>10s} "
            f"{_share(f['pass_rate']):>7s}"
        )
    lines.append(
        f"true-positive rate {_share(report['true_positive_rate'])}, false-positive rate over "
        f"all attacks {_share(report['false_positive_rate'])}"
    )
    if report.get("status", "complete") != "complete":
        lines.append(f"verdict: INCOMPLETE ({report['status']}: {report.get('stop_reason', '')})")
    elif report["verdict"] == "pass":
        t = report["thresholds"]
        lines.append(
            f"verdict: PASS (true-positive rate >= {t['min_true_positive_rate']:.0%}, every "
            f"attack <= {t['max_false_positive_rate']:.0%})"
        )
    else:
        lines.append("verdict: FAIL")
        lines.extend(f"  - {reason}" for reason in report["reasons"])
    return "\n".join(lines)
