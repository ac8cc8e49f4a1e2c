"""What every provider conformance test shares: a config file pointing each role at one test
server, one round over a couple of documents, and the checks on what it recorded."""

from __future__ import annotations

import json
from pathlib import Path

import workbench
from tests.support import DOCS
from workbench.config._profiles import ROLES
from workbench.model._probe import PROMPT as PROBE_PROMPT

DOCUMENTS = [DOCS / "article-iii.txt", DOCS / "article-vi.txt"]
PRICES = {"input_cost_per_token": 2e-6, "output_cost_per_token": 8e-6}
"""Prices set in the config, for model names LiteLLM's price map cannot know."""


def toml(value) -> str:
    """A value as TOML (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"


def write_config(tmp_path: Path, models: dict[str, dict], **top) -> Path:
    """config.toml with `[models.ROLE]` tables (every role must be given) and top-level keys."""
    assert set(models) == set(ROLES), sorted(models)
    lines = [f"{k} = {toml(v)}" for k, v in {"max_rounds": 1, "rollouts": 3, **top}.items()]
    for role, spec in models.items():
        lines.append(f"\n[models.{role}]")
        lines += [f"{k} = {toml(v)}" for k, v in spec.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def one_round(tmp_path: Path, config: Path, **kw) -> workbench.Run:
    """`workbench.run` over DOCUMENTS with the config file; the call cache in tmp_path."""
    return workbench.run(DOCUMENTS, config, out=tmp_path / "run", **kw)


def check_round(run, structured: str | None = None) -> list[dict]:
    """The round ran end to end: a parsed task, graded rollouts, and usage and cost on every
    answered call. Returns the answered calls of the run's own roles (not the probe)."""
    assert run.summary["status"] == "complete", run.summary
    rounds = run.records("rounds")
    assert len(rounds) == len(DOCUMENTS)
    tasks = [r["task"] for r in rounds if r["task"]]
    assert tasks, [r["reason"] for r in rounds]
    assert all(t["question"] and t["reference_answer"] and t["rubric"] for t in tasks)
    graded = [g for r in rounds for g in r["weak_rollouts"] + r["strong_rollouts"]]
    assert graded, [r["reason"] for r in rounds]
    assert all(g["answer"] and len(g["met"]) >= 1 for g in graded)
    assert {r["decision"] for r in rounds} != {"error"}
    calls = [c for c in run.records("calls") if c["role"] != "probe"]
    answered = [c for c in calls if not c["error"]]
    # The strong solver runs only when the weak side does not settle the round first.
    assert {c["role"] for c in answered} >= set(ROLES) - {"strong"}
    for c in answered:
        assert c["prompt_tokens"] > 0 and c["completion_tokens"] > 0, c
        assert c["cost_usd"] is not None and c["cost_usd"] > 0, c
    if structured is not None:
        modes = {c["structured_output"] for c in answered if c["role"] in ("challenger", "judge")}
        assert modes == {structured}, modes
    return answered


def text_of(body: dict) -> str:
    """A request body's message text, whatever the wire format."""
    return json.dumps(body.get("messages") or body.get("contents") or [])


def run_requests(server) -> list[dict]:
    """The bodies a test server got from the run itself (the probe's left out)."""
    probe = PROBE_PROMPT.split("{")[0]
    return [b for b in server.requests if probe not in text_of(b)]


def priced(call: dict, spec: dict) -> float:
    """The cost a call should have at the config's prices (reasoning priced as completion)."""
    return (
        call["prompt_tokens"] * spec["input_cost_per_token"]
        + call["completion_tokens"] * spec["output_cost_per_token"]
    )


def cache_priced(call: dict, spec: dict) -> float:
    """The cost a call should have at the config's prices with its cached prompt tokens at
    `cache_read_input_token_cost` (written ones at the input price unless the spec says)."""
    read, written = call["cached_prompt_tokens"], call["cache_creation_tokens"]
    fresh = call["prompt_tokens"] - read - written
    return (
        fresh * spec["input_cost_per_token"]
        + read * spec["cache_read_input_token_cost"]
        + written * spec.get("cache_creation_input_token_cost", spec["input_cost_per_token"])
        + call["completion_tokens"] * spec["output_cost_per_token"]
    )
