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

from workbench._bundled import bundled
from workbench.errors import PromptError

PROMPT_ROLES = (
    "challenger",
    "verifier",
    "weak",
    "strong",
    "judge",
    "judge_criterion",
    "judge_reference",
)
DEFAULT_FILES = {
    "challenger": "challenger.j2",
    "verifier": "verifier.j2",
    "weak": "solver.j2",
    "strong": "solver.j2",
    "judge": "judge.j2",
    "judge_criterion": "judge_criterion.j2",
    "judge_reference": "judge_reference.j2",
}


def default_prompts_dir() -> Path:
    """The bundled prompts: `prompts/` in a source checkout, or the copy inside the package."""
    found = bundled("prompts", marker="challenger.j2")
    if found is None:
        raise PromptError("the bundled prompts are missing from this installation")
    return found


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
