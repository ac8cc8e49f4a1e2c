"""The Ray engine: rounds run on worker actors across a cluster; records come back to one run directory.

The driver keeps the document loop (rounds, feedback, acceptance) and the run
directory; each round is sent to a worker actor, which runs the same async
round code with its own model client: 1/workers of the concurrency, rate
limits and budget, and the same call cache file. A round's call records and
its round record come back together and are written by the driver as on the
local engine, so the run directory, the cache and resume are the same.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

from workbench.config import ROLES, RunConfig
from workbench.errors import ConfigError
from workbench.inputs import Document, PromptSet
from workbench.records import RoundRecord


def worker_config(
    cfg: RunConfig, workers: int, spent_usd: float = 0.0, spent_tokens: int = 0
) -> dict[str, Any]:
    """The config one worker runs with: its share of concurrency, limits and the budget left."""
    data = cfg.resolved().model_dump(mode="json")
    data["engine"] = "local"
    data["concurrency"] = max(1, cfg.concurrency // workers)
    for role in ROLES:
        spec = data["models"][role]
        for key in ("max_concurrency", "rpm", "tpm"):
            if spec.get(key) is not None:
                spec[key] = (
                    max(1, spec[key] // workers)
                    if key == "max_concurrency"
                    else spec[key] / workers
                )
    spent = {"usd": spent_usd, "tokens": spent_tokens}
    for key in ("usd", "tokens"):
        if data["budget"].get(key) is not None:
            share = max(0.0, data["budget"][key] - spent[key]) / workers
            data["budget"][key] = max(1, int(share)) if key == "tokens" else max(1e-9, share)
    return data


def _env_for_workers(cfg: RunConfig) -> dict[str, str]:
    """Only what workers need: the named key variables and the workbench's own settings."""
    names = {getattr(cfg.models, r).api_key_env for r in ROLES} - {None}
    names |= {n for n in os.environ if n.startswith(("LITELLM_", "WORKBENCH_"))}
    return {n: os.environ[n] for n in names if n in os.environ}


def _worker_class():
    import ray

    @ray.remote(num_cpus=1)
    class RoundWorker:
        """Runs rounds with its own model client; returns each round with its call records."""

        def __init__(self, config: dict[str, Any], prompts: dict[str, str]):
            from workbench.engines._client import make_client
            from workbench.model.backends import get_litellm
            from workbench.records import Tally
            from workbench.roles import Env, load_prompts

            get_litellm()
            cfg = RunConfig.model_validate(config)
            self.calls: dict[tuple[str, int], list[dict[str, Any]]] = {}
            self.env = Env(
                cfg,
                load_prompts(None, prompts),
                make_client(cfg, _CallBuffer(self.calls, Tally()), None),
            )
            self.thresholds = cfg.thresholds()

        async def run_round(
            self,
            doc_id: str,
            text: str,
            number: int,
            history: list[dict[str, Any]],
            parent: str | None = None,
        ):
            from workbench.loop import run_round

            record = await run_round(
                self.env, self.thresholds, Document(doc_id, text, "ray", parent), number, history
            )
            return record.model_dump(mode="json"), self.calls.pop((doc_id, number), [])

    return RoundWorker


class _CallBuffer:
    """Stands in for the run writer inside a worker: keeps call records per round."""

    def __init__(self, calls: dict, tally):
        self.calls = calls
        self.tally = tally

    def call(self, record: dict[str, Any]) -> None:
        self.calls.setdefault((record["doc_id"], record["round"]), []).append(record)


class RayRounds:
    """A round runner for `loop.run_documents` that sends rounds to Ray workers."""

    def __init__(self, cfg: RunConfig, prompts: PromptSet, sink):
        try:
            import ray
        except ImportError:
            raise ConfigError("engine = ray needs Ray: pip install -e '.[ray]'") from None
        if not ray.is_initialized():
            ray.init(
                address=cfg.ray.address,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": _env_for_workers(cfg)},
                configure_logging=False,
            )
        workers = cfg.ray.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        share = worker_config(cfg, workers, sink.tally.cost_usd, sink.tally.paid_tokens)
        concurrency = max(4, 2 * share["concurrency"])
        worker = _worker_class()
        self.workers = [
            worker.options(max_concurrency=concurrency).remote(share, prompts.texts())
            for _ in range(workers)
        ]
        self.placement: dict[str, Any] = {}
        self.next_worker = itertools.cycle(self.workers)
        self.sink = sink

    async def __call__(
        self, doc: Document, number: int, history: list[dict[str, Any]]
    ) -> RoundRecord:
        worker = self.placement.setdefault(doc.id, next(self.next_worker))
        data, calls = await worker.run_round.remote(doc.id, doc.text, number, history, doc.parent)
        for call in calls:
            self.sink.call(call)
        return RoundRecord.model_validate(data)

    def close(self) -> None:
        import ray

        for worker in self.workers:
            ray.kill(worker)
