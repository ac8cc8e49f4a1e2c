"""The calibration set's tasks: real tasks from a run's rounds (or a challenger's), in the order
an audit takes them. Pure functions of stored records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.records import RoundRecord
from workbench.roles import Task


@dataclass(frozen=True)
class CalibrationTask:
    """One real task an audit grades answers to: where it came from, and the task itself."""

    id: str
    """`doc_id#rN`, as accepted.jsonl names examples."""
    doc_id: str
    """The document the task was written from."""
    round: int
    """The round that wrote it."""
    task: Task
    """Context, question, reference answer and rubric."""
    decision: str = ""
    """What the loop decided for this task (empty for a challenger's fresh task)."""


def task_id(doc_id: str, rnd: int) -> str:
    return f"{doc_id}#r{rnd}"


def pick_tasks(rounds: Iterable[RoundRecord], limit: int) -> list[CalibrationTask]:
    """Up to `limit` tasks from a run's rounds: accepted ones first, then tasks that passed the
    quality check, then the rest (a failed check may mean a leaky or broken reference); within
    each group, one task per document before a second from any, in record order."""
    candidates: list[tuple[int, int, int, CalibrationTask]] = []
    seen_per_group: dict[tuple[int, str], int] = {}
    for order, r in enumerate(rounds):
        if r.task is None or not r.task.rubric:
            continue
        group = 0 if r.decision == "accepted" else 2 if r.decision == "failed_quality" else 1
        nth = seen_per_group.get((group, r.doc_id), 0)
        seen_per_group[(group, r.doc_id)] = nth + 1
        task = CalibrationTask(task_id(r.doc_id, r.round), r.doc_id, r.round, r.task, r.decision)
        candidates.append((group, nth, order, task))
    candidates.sort(key=lambda c: c[:3])
    picked: list[CalibrationTask] = []
    ids: set[str] = set()
    for *_, task in candidates:
        if task.id not in ids:
            ids.add(task.id)
            picked.append(task)
        if len(picked) == limit:
            break
    return picked
