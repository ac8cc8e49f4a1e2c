"""Prompts are files, filled in strictly.

One Jinja2 file per role in `prompts/`, rendered with StrictUndefined so a
missing variable is an error naming the file and the variable. A config
overrides any of them by path; Python callers may pass template strings.
Every prompt is test-rendered before a run spends anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import PromptError

PROMPT_ROLES = ("challenger", "verifier", "weak", "strong", "judge", "judge_criterion")
DEFAULT_FILES = {
    "challenger": "challenger.j2",
    "verifier": "verifier.j2",
    "weak": "solver.j2",
    "strong": "solver.j2",
    "judge": "judge.j2",
    "judge_criterion": "judge_criterion.j2",
}


def default_prompts_dir() -> Path:
    """The bundled prompts: `prompts/` in a source checkout, or the copy inside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "prompts", here / "_prompts"):
        if (candidate / "challenger.j2").is_file():
            return candidate
    raise PromptError(f"bundled prompts not found next to {here}")


@dataclass(frozen=True)
class Prompt:
    role: str
    source: str
    text: str
    sha256: str
    template: Any


class PromptSet:
    """The prompts a run uses, compiled and checked."""

    def __init__(self, prompts: dict[str, Prompt]):
        self.prompts = prompts

    def render(self, role: str, **variables: Any) -> str:
        return _render(self.prompts[role], variables)

    def hashes(self) -> dict[str, str]:
        return {role: p.sha256 for role, p in self.prompts.items()}

    def texts(self) -> dict[str, str]:
        return {role: p.text for role, p in self.prompts.items()}

    def write_copies(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for role, p in self.prompts.items():
            (directory / f"{role}.j2").write_text(p.text, encoding="utf-8")


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


def _compile(role: str, source: str, text: str) -> Prompt:
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # Sandboxed: prompt text may come from a model (evolve's mutator) or a run directory someone
    # else wrote; a template can fill in variables but never reach Python objects or files.
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False
    )
    try:
        template = env.from_string(text)
    except TemplateSyntaxError as exc:
        raise PromptError(f"{source}:{exc.lineno}: template syntax error: {exc.message}") from None
    return Prompt(role, source, text, hashlib.sha256(text.encode()).hexdigest(), template)


def _render(prompt: Prompt, variables: dict[str, Any]) -> str:
    from jinja2 import TemplateError, UndefinedError

    try:
        return prompt.template.render(**variables).strip() + "\n"
    except UndefinedError as exc:
        m = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
        name = (m.group(1) or m.group(2)) if m else str(exc)
        raise PromptError(f"{prompt.source}: undefined variable '{name}'") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise PromptError(
            f"{prompt.source}: does not render: {type(exc).__name__}: {exc}"
        ) from None


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
    from workbench.feedback import feedback_groups

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
SAMPLE_VARIABLES: dict[str, dict[str, Any]] = {
    "challenger": {
        "doc_id": "doc",
        "document": "The Senate shall be composed of two Senators from each State.",
        "round": 5,
        "max_rounds": 10,
        "rubric": {"min_criteria": 2, "max_criteria": 10, "max_weight": 7, "allow_negative": True},
        "feedback": _SAMPLE_FEEDBACK,
    },
    "verifier": {"task": _SAMPLE_TASK},
    "solver": {"context": "c", "question": "q", "notes": "n"},
    "judge": {
        "context": "c",
        "question": "q",
        "answer": "a",
        "rubric": _SAMPLE_TASK["rubric"],
        "partial_credit": True,
    },
    "judge_criterion": {
        "context": "c",
        "question": "q",
        "answer": "a",
        "criterion": _SAMPLE_TASK["rubric"][0],
        "partial_credit": False,
    },
}
