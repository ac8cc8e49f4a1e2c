"""Meta-optimization of prompts (the published outer loop).

A population of challenger (optionally verifier) prompt variants. Each
generation picks a parent with probability ∝ exp(pass_rate / T) (T = 0.1),
asks a mutator model for a new variant from an analysis of the parent's
rejected rounds on training documents, and evaluates the mutant on held-out
documents. The mutant joins the population only if its held-out pass rate
strictly beats its parent's. Every evaluated variant is a recorded run.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import ModelSpec, RunConfig
from workbench.engines import arun, as_config, read_documents
from workbench.errors import PromptError, WorkbenchError
from workbench.inputs import Document, default_prompts_dir
from workbench.inputs._prompts import _compile, _render
from workbench.model import CallMeta, ModelClient, check_models, check_spec
from workbench.records import Appender, read_jsonl
from workbench.roles import (
    SAMPLE_VARIABLES,
    ModelOutput,
    draw_boundary,
    load_prompts,
    mutator_variables,
)


class Mutation(ModelOutput):
    """The mutator's reply."""

    prompt: str
    """The full new template."""
    rationale: str = ""
    """Why, in a sentence."""


@dataclass
class Variant:
    id: str
    parent: str | None
    generation: int
    prompts: dict[str, str]
    pass_rate: float | None = None
    parent_pass_rate: float | None = None
    joined: bool = False
    rationale: str = ""
    runs: list[str] = field(default_factory=list)

    def hashes(self) -> dict[str, str]:
        return {r: hashlib.sha256(t.encode()).hexdigest()[:16] for r, t in self.prompts.items()}


def split(documents: list[Document], holdout: float) -> tuple[list[Document], list[Document]]:
    """A deterministic train / held-out split by document id."""
    ranked = sorted(documents, key=lambda d: hashlib.sha256(d.id.encode()).hexdigest())
    k = max(1, min(len(ranked) - 1, round(len(ranked) * holdout)))
    return ranked[k:], ranked[:k]


def choose_parent(population: list[Variant], temperature: float, rng: random.Random) -> Variant:
    """Parent with probability ∝ exp(pass_rate / T)."""
    top = max(v.pass_rate or 0.0 for v in population)
    weights = [math.exp(((v.pass_rate or 0.0) - top) / temperature) for v in population]
    return rng.choices(population, weights=weights, k=1)[0]


def analysis_text(rounds: list[dict[str, Any]], limit: int = 8) -> str:
    """Rejection counts and a few feedback lines: what the mutator reads."""
    counts = Counter(r["decision"] for r in rounds)
    lines = [f"{k}: {v}" for k, v in counts.most_common()]
    examples = [r["feedback"] for r in rounds if r["decision"] != "accepted" and r.get("feedback")][
        :limit
    ]
    return "\n".join(lines + ["", "Examples of feedback:"] + [f"- {e}" for e in examples])


def check_template(role: str, text: str) -> None:
    """Raise ValueError (sent back to the mutator) if a template does not render."""
    key = "solver" if role in ("weak", "strong") else role
    try:
        _render(_compile(role, f"<mutated {role}>", text), SAMPLE_VARIABLES[key])
    except PromptError as exc:
        raise ValueError(str(exc)) from None


EVOLVABLE = ("challenger", "verifier")
"""Prompts evolve may rewrite. Not the judge or the solvers: a variant that made the judge
lenient or the weak solver worse would raise the pass rate without better questions."""


def check_arguments(
    roles: tuple[str, ...], seeds: int, holdout: float, generations: int, temperature: float
) -> None:
    """One-line errors for evolve's settings. Pure."""
    wrong = [r for r in roles if r not in EVOLVABLE]
    if not roles or wrong:
        raise WorkbenchError(
            f"evolve can rewrite only {' and '.join(EVOLVABLE)} prompts (got {', '.join(roles) or 'none'})"
        )
    if seeds < 1:
        raise WorkbenchError(f"--seeds must be at least 1 (got {seeds})")
    if not 0 < holdout < 1:
        raise WorkbenchError(f"--holdout must be between 0 and 1, exclusive (got {holdout})")
    if generations < 1:
        raise WorkbenchError(f"--generations must be at least 1 (got {generations})")
    if temperature <= 0:
        raise WorkbenchError(f"--temperature must be positive (got {temperature})")


async def evolve(
    docs: Any,
    config: Any,
    out: str | Path,
    generations: int = 4,
    temperature: float = 0.1,
    holdout: float = 0.5,
    seeds: int = 2,
    mutator: str | ModelSpec = "sim/mutator",
    roles: tuple[str, ...] = ("challenger",),
    seed: int = 0,
    progress: Callable[[Variant], None] | None = None,
) -> list[Variant]:
    """Evolve the prompts; `progress(variant)` is called after each evaluated variant
    (generations + 1 calls: the starting prompt, then one per generation)."""
    cfg = as_config(config)
    documents = read_documents(docs, cfg)
    if len(documents) < 2:
        raise WorkbenchError("evolve needs at least 2 documents (training and held-out)")
    check_arguments(roles, seeds, holdout, generations, temperature)
    mutator = ModelSpec(model=mutator) if isinstance(mutator, str) else mutator
    check_models(cfg, probe_endpoints=False)  # keys before any call
    check_spec(mutator, f"--mutator {mutator.model}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise WorkbenchError(f"{out} already exists and is not empty; choose another --out")
    (out / "variants").mkdir(parents=True)
    train, held = split(documents, holdout)
    base_texts = load_prompts(cfg.prompts.model_dump()).texts()
    template = (default_prompts_dir() / "mutator.j2").read_text(encoding="utf-8")
    mutator_prompt = _compile("mutator", "prompts/mutator.j2", template)
    rng = random.Random(seed)
    log = Appender(out / "population.jsonl")
    client = ModelClient(seed=seed)
    try:
        base = Variant("v0", None, 0, {r: base_texts[r] for r in roles})
        base.pass_rate = await _pass_rate(base, cfg, held, seeds, out)
        base.joined = True
        _save(base, out, log)
        if progress is not None:
            progress(base)
        population = [base]
        for generation in range(1, generations + 1):
            parent = choose_parent(population, temperature, rng)
            rounds = await _train_rounds(parent, cfg, train, out)
            child = Variant(
                f"v{generation}",
                parent.id,
                generation,
                dict(parent.prompts),
                parent_pass_rate=parent.pass_rate,
            )
            for role in roles:
                text = _render(
                    mutator_prompt,
                    mutator_variables(
                        boundary=draw_boundary(seed, child.id, role, "mutator"),
                        role=role,
                        prompt=parent.prompts[role],
                        pass_rate=parent.pass_rate,
                        analysis=analysis_text(rounds),
                    ),
                )
                reply = await client.complete(
                    mutator,
                    text,
                    CallMeta("mutator", child.id, generation),
                    schema=Mutation,
                    validate=lambda m, r=role: check_template(r, m.prompt),
                )
                child.prompts[role] = reply.parsed.prompt
                child.rationale = reply.parsed.rationale
            child.pass_rate = await _pass_rate(child, cfg, held, seeds, out)
            child.joined = child.pass_rate > parent.pass_rate
            if child.joined:
                population.append(child)
            _save(child, out, log)
            if progress is not None:
                progress(child)
    finally:
        await client.aclose()
        log.close()
    best = max(population, key=lambda v: (v.pass_rate or 0.0, -v.generation))
    for role, text in best.prompts.items():
        (out / f"best_{role}.j2").write_text(text, encoding="utf-8")
    return population


async def _pass_rate(
    variant: Variant, cfg: RunConfig, held: list[Document], seeds: int, out: Path
) -> float:
    """Share of held-out documents with an accepted question, averaged over seeds."""
    rates = []
    for s in range(seeds):
        run_dir = out / "runs" / f"{variant.id}-heldout-seed{s}"
        run = await arun(
            held,
            cfg.model_copy(update={"seed": cfg.seed + s}),
            out=run_dir,
            prompts=variant.prompts,
        )
        variant.runs.append(str(run_dir))
        rates.append(run.summary["documents_accepted"] / max(1, run.summary["documents"]))
    return sum(rates) / len(rates)


async def _train_rounds(
    variant: Variant, cfg: RunConfig, train: list[Document], out: Path
) -> list[dict]:
    """The variant's rounds on the training documents (run once, then reused)."""
    run_dir = out / "runs" / f"{variant.id}-train"
    if not (run_dir / "summary.json").is_file():
        await arun(train, cfg, out=run_dir, prompts=variant.prompts)
        variant.runs.append(str(run_dir))
    return read_jsonl(run_dir / "rounds.jsonl")


def _save(variant: Variant, out: Path, log: Appender) -> None:
    for role, text in variant.prompts.items():
        (out / "variants" / f"{variant.id}_{role}.j2").write_text(text, encoding="utf-8")
    record = {k: v for k, v in asdict(variant).items() if k != "prompts"}
    log.append(record | {"prompt_hashes": variant.hashes()})


def load_population(out: str | Path) -> list[dict[str, Any]]:
    return read_jsonl(Path(out) / "population.jsonl")


def best_diff(out: str | Path, role: str = "challenger") -> str:
    """Unified diff from the starting prompt to the best variant's."""
    out = Path(out)
    start = (out / "variants" / f"v0_{role}.j2").read_text(encoding="utf-8").splitlines()
    best = (out / f"best_{role}.j2").read_text(encoding="utf-8").splitlines()
    return (
        "\n".join(difflib.unified_diff(start, best, "v0", "best", lineterm=""))
        or "(best is the starting prompt)"
    )


def population_frame(out: str | Path):
    import pandas as pd

    return pd.DataFrame(load_population(out))


__all__ = ["evolve", "load_population", "best_diff", "population_frame", "split", "choose_parent"]
