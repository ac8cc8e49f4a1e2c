"""The five roles (challenger, quality verifier, weak and strong solvers, judge): per role its
output model, wire schema, repairs, prompt variables and call, each over `ModelClient.complete()`.
The judge is written once (`grade`): the loop, evaluation and rewards all call it. Every
untrusted text reaches a template fenced (`_fence`, `_variables`)."""

from __future__ import annotations

from workbench.roles._agreement import Agreement, criterion_verdicts, fleiss, low_agreement
from workbench.roles._challenger import (
    Criterion,
    Task,
    challenge,
    check_task,
    repair_task,
    task_schema,
)
from workbench.roles._env import Env
from workbench.roles._feedback import EMPTY, GROUPS, feedback_groups, feedback_line
from workbench.roles._fence import FENCE_NAMES, draw_boundary, fence, neutralise
from workbench.roles._judge import (
    CriterionGrade,
    JudgeOutput,
    ReferenceVerdict,
    criterion_schema,
    grade,
    judge,
    judge_schema,
    normalize_grades,
    reference_schema,
    verdict_scores,
)
from workbench.roles._output import ModelOutput
from workbench.roles._panel import combine, panel_grade
from workbench.roles._prompts import SAMPLE_VARIABLES, load_prompts
from workbench.roles._scoring import answer_score, benchmark_score, clip01, raw_score
from workbench.roles._solver import solve
from workbench.roles._variables import (
    challenger_variables,
    content_boundary,
    criterion_variables,
    judge_variables,
    mutator_variables,
    reference_variables,
    solver_variables,
    task_boundary,
    verifier_variables,
)
from workbench.roles._verifier import QualityCheck, quality_schema, verify

__all__ = [
    "EMPTY",
    "Agreement",
    "combine",
    "criterion_verdicts",
    "fleiss",
    "low_agreement",
    "panel_grade",
    "FENCE_NAMES",
    "GROUPS",
    "SAMPLE_VARIABLES",
    "Criterion",
    "CriterionGrade",
    "Env",
    "JudgeOutput",
    "ModelOutput",
    "QualityCheck",
    "ReferenceVerdict",
    "Task",
    "answer_score",
    "benchmark_score",
    "challenge",
    "check_task",
    "clip01",
    "criterion_schema",
    "feedback_groups",
    "feedback_line",
    "grade",
    "judge",
    "judge_schema",
    "load_prompts",
    "normalize_grades",
    "quality_schema",
    "raw_score",
    "reference_schema",
    "reference_variables",
    "repair_task",
    "solve",
    "task_schema",
    "verdict_scores",
    "verify",
    "challenger_variables",
    "content_boundary",
    "criterion_variables",
    "draw_boundary",
    "fence",
    "judge_variables",
    "mutator_variables",
    "neutralise",
    "solver_variables",
    "task_boundary",
    "verifier_variables",
]
