"""The roles' prompts loaded and test-rendered with sample variables of each role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.errors import PromptError
from workbench.inputs import DEFAULT_FILES, PROMPT_ROLES, PromptSet, default_prompts_dir
from workbench.inputs._prompts import _compile, _render
from workbench.roles._variables import (
    challenger_variables,
    criterion_variables,
    judge_variables,
    mutator_variables,
    reference_variables,
    solver_variables,
    verifier_variables,
)


def load_prompts(
    paths: dict[str, str | None] | None = None, strings: dict[str, str] | None = None
) -> PromptSet:
    """Bundled prompts, replaced by config paths, replaced by Python strings; all test-rendered."""
    paths = {k: v for k, v in (paths or {}).items() if v}
    strings = dict(strings or {})
    unknown = (set(paths) | set(strings)) - set(PROMPT_ROLES)
    if unknown:
        raise PromptError(
            f"unknown prompt role {sorted(unknown)[0]!r} (known: {', '.join(PROMPT_ROLES)})"
        )
    base = default_prompts_dir()
    prompts = {}
    for role in PROMPT_ROLES:
        if role in strings:
            source, text = f"<{role} prompt string>", strings[role]
        else:
            path = Path(paths[role]) if role in paths else base / DEFAULT_FILES[role]
            source = str(path)
            if not path.is_file():
                raise PromptError(f"prompt file for {role} not found: {path}")
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise PromptError(f"{path}: prompt file is not UTF-8 text") from None
        prompts[role] = _compile(role, source, text)
    for role, prompt in prompts.items():
        _render(prompt, SAMPLE_VARIABLES[_sample_key(role)])
    return PromptSet(prompts)


def _sample_key(role: str) -> str:
    return "solver" if role in ("weak", "strong") else role


_SAMPLE_TASK = {
    "context": "The Senate shall be composed of two Senators from each State.",
    "question": "How many Senators does each State have?",
    "reference_answer": "Two.",
    "question_type": "close reading",
    "rubric": [{"criterion": 'States "two".', "weight": 5}],
}


def _sample_feedback() -> dict[str, Any]:
    from workbench.roles import feedback_groups

    task = {"question": "An earlier question?"}
    rounds = [
        {
            "round": 1,
            "decision": "too_easy",
            "task": task,
            "weak_mean": 0.9,
            "reason": "weak_mean 0.90 > 0.30",
        },
        {
            "round": 2,
            "decision": "too_hard",
            "task": task,
            "weak_mean": 0.1,
            "reason": "a weak rollout scored 0",
        },
        {
            "round": 2,
            "decision": "failed_on_strong",
            "task": task,
            "weak_mean": 0.2,
            "strong_mean": 0.5,
            "gap": 0.3,
        },
        {"round": 3, "decision": "failed_quality", "task": task, "reason": "leakage"},
        {
            "round": 4,
            "decision": "not_significant",
            "task": task,
            "weak_mean": 0.2,
            "strong_mean": 0.8,
            "gap": 0.6,
            "p_value": 0.1,
        },
    ]
    return feedback_groups(rounds)


_SAMPLE_FEEDBACK = _sample_feedback()


_SAMPLE_BOUNDARY = "0123456789ab"
_SAMPLE_RUBRIC = {
    "min_criteria": 2,
    "max_criteria": 10,
    "max_weight": 7,
    "allow_negative": True,
    "max_criterion_chars": 500,
}

SAMPLE_VARIABLES: dict[str, dict[str, Any]] = {
    "challenger": challenger_variables(
        boundary=_SAMPLE_BOUNDARY,
        doc_id="doc",
        document="The Senate shall be composed of two Senators from each State.",
        round=5,
        max_rounds=10,
        rubric=_SAMPLE_RUBRIC,
        feedback=_SAMPLE_FEEDBACK,
    ),
    "verifier": verifier_variables(boundary=_SAMPLE_BOUNDARY, task=_SAMPLE_TASK),
    "solver": solver_variables(boundary=_SAMPLE_BOUNDARY, context="c", question="q", notes="n"),
    "judge": judge_variables(
        boundary=_SAMPLE_BOUNDARY,
        context="c",
        question="q",
        answer="a",
        rubric=_SAMPLE_TASK["rubric"],
        partial_credit=True,
    ),
    "judge_criterion": criterion_variables(
        boundary=_SAMPLE_BOUNDARY,
        context="c",
        question="q",
        answer="a",
        criterion=_SAMPLE_TASK["rubric"][0],
        partial_credit=False,
    ),
    "judge_reference": reference_variables(
        boundary=_SAMPLE_BOUNDARY,
        context="c",
        question="q",
        reference_answer="r",
        answer="a",
    ),
    "mutator": mutator_variables(
        boundary=_SAMPLE_BOUNDARY,
        role="challenger",
        prompt="{{ document }}",
        pass_rate=0.5,
        analysis="too_easy: 3",
    ),
}
"""Each role's variables as the workbench fills them in (fenced), for test renders."""
