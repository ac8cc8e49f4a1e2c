"""The five roles (challenger, quality verifier, weak and strong solvers, judge): their output
models, schemas, repairs, prompt variables and calls."""

from __future__ import annotations

from workbench.roles._checks import check_task, normalize_grades, repair_task
from workbench.roles._env import Env
from workbench.roles._feedback import EMPTY, feedback_groups, feedback_line
from workbench.roles._outputs import (
    Criterion,
    CriterionGrade,
    JudgeOutput,
    ModelOutput,
    QualityCheck,
    Task,
)
from workbench.roles._prompts import SAMPLE_VARIABLES, load_prompts
from workbench.roles._roles import challenge, judge, solve, verify
from workbench.roles._schema import criterion_schema, judge_schema
from workbench.roles._scoring import answer_score, benchmark_score, clip01, raw_score

__all__ = [
    "Criterion",
    "CriterionGrade",
    "EMPTY",
    "Env",
    "JudgeOutput",
    "ModelOutput",
    "QualityCheck",
    "SAMPLE_VARIABLES",
    "Task",
    "answer_score",
    "judge",
    "solve",
    "benchmark_score",
    "challenge",
    "check_task",
    "clip01",
    "criterion_schema",
    "feedback_groups",
    "feedback_line",
    "judge_schema",
    "load_prompts",
    "normalize_grades",
    "raw_score",
    "repair_task",
    "verify",
]
