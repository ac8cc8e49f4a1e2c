"""Pure checks on model outputs: a task against the rubric rules, a judge's grades against the rubric."""

from __future__ import annotations

from workbench.config import Rubric
from workbench.roles._outputs import CriterionGrade, Task


def repair_task(task: Task, rules: Rubric) -> None:
    """Fix what can be fixed without changing the task's meaning: out-of-range weights are
    clipped, extra criteria dropped. Each fix is noted in `task.repairs`."""
    low = -rules.max_weight if rules.allow_negative else 1
    for i, c in enumerate(task.rubric, 1):
        fixed = 1 if c.weight == 0 else min(rules.max_weight, max(low, c.weight))
        if fixed != c.weight:
            task.repairs.append(f"criterion {i} weight {c.weight} clipped to {fixed}")
            c.weight = fixed
    if len(task.rubric) > rules.max_criteria:
        task.repairs.append(f"rubric cut from {len(task.rubric)} to {rules.max_criteria} criteria")
        del task.rubric[rules.max_criteria :]


def check_task(task: Task, rules: Rubric) -> None:
    """Raise ValueError (sent back to the challenger once) if the task breaks the rubric rules."""
    n = len(task.rubric)
    if not rules.min_criteria <= n <= rules.max_criteria:
        raise ValueError(
            f"the rubric has {n} criteria; it needs {rules.min_criteria} to {rules.max_criteria}"
        )
    for i, c in enumerate(task.rubric, 1):
        if c.weight == 0 or abs(c.weight) > rules.max_weight:
            raise ValueError(
                f"criterion {i} has weight {c.weight}; weights are 1 to {rules.max_weight}"
            )
        if c.weight < 0 and not rules.allow_negative:
            raise ValueError(
                f"criterion {i} has negative weight {c.weight}; negative weights are not allowed"
            )
    if not any(c.weight > 0 for c in task.rubric):
        raise ValueError("the rubric needs at least one criterion with a positive weight")
    if not task.question.strip() or not task.reference_answer.strip():
        raise ValueError("question and reference_answer must not be empty")


def normalize_grades(
    grades: list[CriterionGrade], n_criteria: int, partial_credit: bool
) -> tuple[list[float], list[str]]:
    """Per-criterion credit in rubric order, plus flags for anything repaired.

    Skipped criteria count as not met; out-of-range credit is clipped; without
    partial credit a fractional value is rounded to met / not met.
    """
    met: list[float | None] = [None] * n_criteria
    flags: list[str] = []
    for position, g in enumerate(grades):
        index = g.criterion - 1 if g.criterion >= 1 else position
        if not 0 <= index < n_criteria:
            flags.append(f"grade for unknown criterion {g.criterion} ignored")
            continue
        if met[index] is not None:
            flags.append(f"criterion {index + 1} graded twice; first grade kept")
            continue
        value = float(g.met)
        if value < 0 or value > 1:
            flags.append(f"criterion {index + 1} credit {value:g} clipped to [0, 1]")
            value = min(1.0, max(0.0, value))
        if not partial_credit and value not in (0.0, 1.0):
            flags.append(f"criterion {index + 1} credit {value:g} rounded (partial credit is off)")
            value = 1.0 if value >= 0.5 else 0.0
        met[index] = value
    for i, value in enumerate(met):
        if value is None:
            flags.append(f"criterion {i + 1} not graded; counted as not met")
    return [0.0 if v is None else v for v in met], flags
