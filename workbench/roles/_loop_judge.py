"""The loop judge (the legal pipeline's): after both sides' rollouts it reads the task and a
summary of the rollouts' scores and answers `accept` or `improve`, rates the question's
suitability for GRPO training (1-5) and flags case-recap questions. Its output model, wire
schema, repairs, prompt variables and call.

Everything it reads from the task and the answers is fenced (the answers, cut to
`loop_judge.answer_chars`, each in its own `answer` block); the scores and means are numbers
the workbench computed, shown outside the fences."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import field_validator

from workbench.model import CallMeta
from workbench.roles._challenger import Task
from workbench.roles._env import Env
from workbench.roles._fence import draw_boundary, fence, rubric_block
from workbench.roles._output import ModelOutput
from workbench.roles._schema import _object, _string

VERDICTS = ("accept", "improve")
SUITABILITY = (1, 5)
"""The lowest and highest GRPO-suitability rating."""
MAX_REASON_CHARS = 400
"""A longer reason is cut (it becomes the challenger's feedback line)."""
_SYNONYMS = {"accepted": "accept", "improved": "improve", "improvement": "improve"}
_RATING = re.compile(r"^\s*([0-9]+)(?:\s*/\s*5)?\s*$")


class LoopJudgeOutput(ModelOutput):
    """The loop judge's verdict on one round."""

    verdict: Literal["accept", "improve"]
    """`accept`: keep the question; `improve`: send it back to the challenger."""
    suitability: int
    """How suitable the question is for GRPO training, 1 (not at all) to 5 (very)."""
    case_recap: bool = False
    """True if the question only asks to recap a case (its facts, holding or history)."""
    reason: str = ""
    """Why, in a sentence."""

    @field_validator("verdict", mode="before")
    @classmethod
    def _verdict_word(cls, value: Any) -> Any:
        """`"Accept"`, `" improve."` and `"accepted"` are the two verdicts; anything else is
        left for validation to refuse (the client then re-asks once)."""
        if not isinstance(value, str):
            return value
        word = value.strip().strip(".!\"'").lower()
        return _SYNONYMS.get(word, word)

    @field_validator("suitability", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        """A whole number from 1 to 5; `"4"`, `"4/5"` and `4.0` read as 4. A boolean, a
        fraction, or a number out of range is refused (a rating on another scale is not
        guessed)."""
        if isinstance(value, bool):
            raise ValueError("suitability must be a whole number from 1 to 5, not a boolean")
        if isinstance(value, str):
            m = _RATING.match(value)
            if not m:
                raise ValueError(f"suitability {value[:40]!r} is not a whole number from 1 to 5")
            value = int(m.group(1))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise ValueError("suitability must be a whole number from 1 to 5")
        if not SUITABILITY[0] <= value <= SUITABILITY[1]:
            raise ValueError(f"suitability {value} is outside 1 to 5")
        return value

    @field_validator("case_recap", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        return value

    @field_validator("reason", mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            text = " ".join(value.split())
            return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"
        return value


def loop_judge_schema() -> dict[str, Any]:
    return _object(
        {
            # the verdicts before the free text: a reply cut off in `reason` keeps them
            "verdict": {"type": "string", "enum": list(VERDICTS)},
            "suitability": {
                "type": "integer",
                "minimum": SUITABILITY[0],
                "maximum": SUITABILITY[1],
            },
            "case_recap": {"type": "boolean"},
            "reason": _string(MAX_REASON_CHARS),
        }
    )


def loop_judge_boundary(seed: int, doc_id: str, rnd: int) -> str:
    """The loop judge's own fence id for one task (no solver or judge sees it)."""
    return draw_boundary(seed, doc_id, rnd, "loop_judge")


def clip(text: str, chars: int) -> str:
    """`text` cut to `chars` characters, marked with `…` when cut."""
    text = str(text)
    return text if len(text) <= chars else text[:chars].rstrip() + "…"


def _side(rollouts: list[Any], boundary: str, chars: int) -> list[dict[str, Any]]:
    return [
        {
            "rollout": a.rollout,
            "score": a.score,
            "answer": fence("answer", clip(a.answer, chars), boundary) if chars else None,
        }
        for a in rollouts
    ]


def _mean(rollouts: list[Any]) -> float | None:
    return sum(a.score for a in rollouts) / len(rollouts) if rollouts else None


def loop_judge_variables(
    *,
    boundary: str,
    task: dict[str, Any],
    weak: list[Any],
    strong: list[Any],
    answer_chars: int,
) -> dict[str, Any]:
    """The loop judge's variables (`loop_judge.j2`): the task's texts fenced, each rollout's
    score and (cut) answer, and the sides' means and gap (None for a side with no rollouts)."""
    wm, sm = _mean(weak), _mean(strong)
    return {
        "boundary": boundary,
        "context": fence("context", task["context"], boundary),
        "question": fence("question", task["question"], boundary),
        "reference_answer": fence("reference_answer", task["reference_answer"], boundary),
        "rubric_block": rubric_block(task["rubric"], boundary, weights=True),
        "weak": _side(weak, boundary, answer_chars),
        "strong": _side(strong, boundary, answer_chars),
        "weak_mean": wm,
        "strong_mean": sm,
        "gap": None if wm is None or sm is None else sm - wm,
    }


async def loop_judge(
    env: Env, doc_id: str, rnd: int, task: Task, weak: list[Any], strong: list[Any]
) -> LoopJudgeOutput:
    """One loop-judge call on a round's task and rollouts."""
    boundary = loop_judge_boundary(env.config.seed, doc_id, rnd)
    prompt = env.prompts.render(
        "loop_judge",
        **loop_judge_variables(
            boundary=boundary,
            task=task.model_dump(),
            weak=weak,
            strong=strong,
            answer_chars=env.config.loop_judge.answer_chars,
        ),
    )
    out = await env.client.complete(
        env.config.models.loop_judge,
        prompt,
        CallMeta("loop_judge", doc_id, rnd),
        schema=LoopJudgeOutput,
        json_schema=loop_judge_schema(),
    )
    return out.parsed
