"""Rubric rewards for GRPO: score completions against each row's rubric with the judge.

    from workbench.datasets._rewards import RubricReward
    trainer = GRPOTrainer(..., reward_funcs=[RubricReward(judge="openai/gpt-4o-mini")],
                          train_dataset=load_dataset("json", data_files="grpo.jsonl")["train"])

Signature as TRL's GRPOTrainer calls reward functions: `completions` (strings, or
lists of messages in the conversational format) plus the dataset's other
columns as keyword arguments (here `rubric`, and `prompts`). Returns one float
in [0, 1] per completion (Σ w·met / Σ positive w, clipped), or None where the
judge could not grade it (TRL then ignores that sample).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from workbench.config import ModelSpec
from workbench.errors import ModelOutputError, ProviderError
from workbench.model import CallMeta, ModelClient
from workbench.roles import answer_score, grade, load_prompts


def _text(item: Any) -> str:
    """A completion or prompt as text: a string, or the last message's content."""
    if isinstance(item, str):
        return item
    if isinstance(item, list) and item:
        last = item[-1]
        return last.get("content", "") if isinstance(last, dict) else str(last)
    if isinstance(item, dict):
        return item.get("content", "")
    return ""


class RubricReward:
    """A reward function object; `rubric_reward` below is one with the default judge."""

    __name__ = "rubric_reward"

    def __init__(
        self,
        judge: str | ModelSpec | dict | None = None,
        partial_credit: bool = False,
        concurrency: int = 32,
        cache: bool = True,
    ):
        judge = judge or os.environ.get("WORKBENCH_REWARD_JUDGE", "sim/judge")
        if isinstance(judge, str):
            judge = ModelSpec(model=judge)
        elif isinstance(judge, dict):
            judge = ModelSpec.model_validate(judge)
        self.judge = judge
        self.partial_credit = partial_credit
        self.concurrency = concurrency
        self.use_cache = cache
        self.prompts = load_prompts()

    def __call__(
        self,
        completions: list[Any],
        rubric: list[list[dict]] | None = None,
        prompts: list[Any] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        if rubric is None:
            raise ValueError("rubric_reward needs the dataset's `rubric` column")
        from workbench.engines import run_sync

        return run_sync(self.ascore(completions, rubric, prompts))

    async def ascore(
        self, completions: list[Any], rubrics: list[list[dict]], prompts: list[Any] | None = None
    ) -> list[float | None]:
        from workbench.model import CallCache, default_path

        cache = CallCache(default_path()) if self.use_cache else None
        client = ModelClient(concurrency=self.concurrency, cache=cache)
        questions = [_text(p) for p in prompts] if prompts else [""] * len(completions)
        try:
            jobs = [
                self._one(client, i, q, _text(c), r)
                for i, (q, c, r) in enumerate(zip(questions, completions, rubrics, strict=True))
            ]
            return list(await asyncio.gather(*jobs))
        finally:
            await client.aclose()
            if cache is not None:
                cache.close()

    async def _one(
        self, client: ModelClient, index: int, question: str, answer: str, rubric: list[dict]
    ) -> float | None:
        try:
            met, _ = await grade(
                client,
                self.prompts,
                self.judge,
                CallMeta("judge", "reward", 0, index),
                context="",
                question=question,
                answer=answer,
                rubric=rubric,
                partial_credit=self.partial_credit,
                per_criterion=False,
            )
        except (ModelOutputError, ProviderError):
            return None
        return answer_score([c["weight"] for c in rubric], met)


rubric_reward = RubricReward()
