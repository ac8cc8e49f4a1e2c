"""An honest offline simulation of every role, for running the loop with no keys or network.

`respond()` is a pure function of (model, messages, seed, max_tokens): the same
request always gets the same reply, so runs are reproducible for a seed
whatever order calls finish in. The in-process LiteLLM provider (`sim/…`) and
the HTTP server (`workbench serve --model sim`) both wrap it.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass

from workbench.providers.sim import _challenger as challenger
from workbench.providers.sim import _judge as judge
from workbench.providers.sim import _mutator as mutator
from workbench.providers.sim import _solver as solver
from workbench.providers.sim import _verifier as verifier
from workbench.providers.sim._difficulty import skill_of
from workbench.providers.sim._text import outside

ROLES = ("challenger", "verifier", "judge", "weak", "strong", "mutator")


@dataclass(frozen=True)
class SimReply:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


def tokens(text: str) -> int:
    """A rough token count (4 characters per token), as simulated usage."""
    return max(1, (len(text) + 3) // 4)


def respond(
    model: str, messages: list[dict], seed: int | None = None, max_tokens: int | None = None
) -> SimReply:
    name = model.split("/", 1)[1] if model.startswith("sim/") else model
    prompt = next((_text(m.get("content")) for m in messages if m.get("role") == "user"), "")
    # Only roles and text decide the reply, so the HTTP path (where a client may add
    # fields to messages) answers exactly as the in-process provider does.
    conversation = [{"role": m.get("role"), "content": _text(m.get("content"))} for m in messages]
    key = json.dumps([seed, name, conversation], sort_keys=True).encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    prompt_key = json.dumps([seed, name, prompt]).encode()
    prompt_rng = random.Random(int.from_bytes(hashlib.sha256(prompt_key).digest()[:8], "big"))
    cut = False
    if name == "challenger":
        text, cut = challenger.write_task(prompt, rng, prompt_rng)
    elif name == "verifier":
        text, cut = verifier.check(prompt, rng)
    elif name == "mutator":
        text = mutator.mutate(prompt, rng)
    elif name == "judge":
        instructions = outside(prompt)
        if '"correct"' in instructions and '"grades"' not in instructions:
            text, cut = judge.verdict(prompt, rng)  # reference judging
        else:
            single = '"met"' in instructions and '"grades"' not in instructions
            text, cut = judge.grade(prompt, rng, single=single)
    else:
        text = solver.answer(prompt, skill_of(name), rng)
    finish = "length" if cut else "stop"
    if max_tokens is not None and tokens(text) > max_tokens:
        text, finish = text[: max_tokens * 4], "length"
    prompt_tokens = sum(tokens(m["content"]) for m in conversation)
    return SimReply(text, finish, prompt_tokens, tokens(text))


def _text(content: object) -> str:
    """Message content as text (OpenAI allows a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def check_model(model: str) -> None:
    """Raise ValueError for a sim model name that does not exist."""
    name = model.split("/", 1)[1] if "/" in model else model
    if name in ("challenger", "verifier", "judge", "mutator"):
        return
    skill_of(name)
