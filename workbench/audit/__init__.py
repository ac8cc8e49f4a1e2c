"""Judge audits: the configured judge graded on answers of known worth to real tasks (the
reference answer, which should pass, and attacks, which should fail), with per-attack
false-positive rates, the true-positive rate and a verdict against `audit` thresholds.

Calibration sets, figures and verdicts are pure functions (`pick_tasks`,
`calibration_answers`, `kind_figures`, `verdict`); `audit_judge()` runs them through the
loop's own judge role and model client."""

from __future__ import annotations

from workbench.audit._answers import (
    ATTACKS,
    KINDS,
    REFERENCE,
    CalibrationAnswer,
    calibration_answers,
    key_facts,
    tag_breakout,
    truncated,
    wrong_facts,
)
from workbench.audit._chart import false_positive_chart
from workbench.audit._metrics import (
    GradedAnswer,
    figures_report,
    kind_figures,
    overall_false_positive_rate,
    pass_score,
    passes,
    verdict,
)
from workbench.audit._registry import (
    audit_entry,
    audit_hint,
    judge_key,
    read_audits,
    record_audit,
    registry_path,
)
from workbench.audit._run import CALLS_FILE, REPORT_FILE, audit_judge
from workbench.audit._table import format_table, table_rows
from workbench.audit._tasks import CalibrationTask, pick_tasks, task_id

__all__ = [
    "ATTACKS",
    "CALLS_FILE",
    "KINDS",
    "REFERENCE",
    "REPORT_FILE",
    "CalibrationAnswer",
    "CalibrationTask",
    "GradedAnswer",
    "audit_entry",
    "audit_hint",
    "audit_judge",
    "calibration_answers",
    "false_positive_chart",
    "figures_report",
    "format_table",
    "judge_key",
    "key_facts",
    "kind_figures",
    "overall_false_positive_rate",
    "pass_score",
    "passes",
    "pick_tasks",
    "read_audits",
    "record_audit",
    "registry_path",
    "table_rows",
    "tag_breakout",
    "task_id",
    "truncated",
    "verdict",
    "wrong_facts",
]
