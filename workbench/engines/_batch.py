"""The batch engine (`engine = "batch"`): every call through the provider's batch API.

The orchestrator and `complete()` are the async engine's; only the model client's backend
differs (`model.backends.BatchBackend`): all documents are in flight at once, and each
time every one of them waits on a call, the calls go out as one batch job per model
(challenger, verifier, weak, judge, strong, judge: step by step). Records, the call cache,
the budget and the decisions are the async engine's; replies are priced at the batch price.

Every batch is written to RUN_DIR/batches.jsonl before it is polled (`submitted`, with its
custom_id -> request key map) and once its replies were used (`used`); a resumed run
re-polls a submitted batch that was not used and takes its replies instead of paying again.

The simulator has no batch API of its own in process: its calls go to the simulator's HTTP
server (`workbench serve --model sim` speaks the OpenAI Batch API too), started on 127.0.0.1
for the run, through the same LiteLLM batch calls a provider gets.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from workbench.config import RunConfig, role_specs
from workbench.errors import ConfigError
from workbench.model.backends import BatchBackend, Endpoint, get_litellm
from workbench.records import Appender, read_jsonl

FILE = "batches.jsonl"
PROVIDERS = ("openai",)
"""Providers whose batches LiteLLM creates (acreate_batch): OpenAI and OpenAI-compatible
servers. LiteLLM 1.110 reads Anthropic message batches but cannot create them."""
LOOPBACK_POLL_S = 0.02
"""First wait between status checks of a batch on 127.0.0.1 (the simulator, test servers)."""


def check_batchable(cfg: RunConfig) -> None:
    """Every role's model has a batch API LiteLLM can drive: else one line, before any call."""
    for role, index, spec in role_specs(cfg.models):
        if spec.model.startswith("sim/"):
            continue
        where = f"models.{role}" + (f".{index}" if cfg.models.panel and role == "judge" else "")
        if spec.model.startswith("local/"):
            raise ConfigError(
                f"engine = batch: {where} ({spec.model}) runs in this process and has no batch "
                "API; use engine = local"
            )
        provider = _provider(spec.model, spec.api_base)
        if provider == "anthropic":
            raise ConfigError(
                f"engine = batch: {where} ({spec.model}): LiteLLM cannot create Anthropic message "
                "batches (it only reads them); use engine = local for anthropic/ models"
            )
        if provider not in PROVIDERS:
            raise ConfigError(
                f"engine = batch: {where} ({spec.model}) is on {provider or 'an unknown provider'}, "
                "which has no batch API here (OpenAI and OpenAI-compatible servers do); use "
                "engine = local"
            )


def _provider(model: str, api_base: str | None) -> str | None:
    try:
        return get_litellm().get_llm_provider(model=model, api_base=api_base)[1]
    except Exception:
        return None


def pending_batches(run_dir: Path) -> list[dict[str, Any]]:
    """Batches RUN_DIR/batches.jsonl says were submitted and whose replies were not used."""
    entries = [e for e in read_jsonl(Path(run_dir) / FILE) if isinstance(e, dict)]
    used = {e.get("batch_id") for e in entries if e.get("event") == "used"}
    return [
        e
        for e in entries
        if e.get("event") == "submitted"
        and isinstance(e.get("batch_id"), str)
        and isinstance(e.get("requests"), dict)
        and e["batch_id"] not in used
    ]


def _cut_torn_tail(path: Path) -> None:
    if not path.is_file():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)


class BatchRun:
    """The batch engine's pieces for one run: the journal, the simulator's server (if a role is
    simulated) and the backend the run's model client is given."""

    def __init__(self, cfg: RunConfig, run_dir: Path, quiet: bool = False):
        self.cfg = cfg
        self.run_dir = Path(run_dir)
        self.quiet = quiet
        _cut_torn_tail(self.run_dir / FILE)  # a line torn by a kill must not swallow the next
        self.journal = Appender(self.run_dir / FILE, fsync_every_s=0)
        self.sim_base: str | None = None
        self._runner: Any = None
        self.backend: BatchBackend | None = None

    async def start(self) -> BatchBackend:
        if any(s.model.startswith("sim/") for _, _, s in role_specs(self.cfg.models)):
            await self._serve_sim()
        adopt = []
        for entry in pending_batches(self.run_dir):
            if str(entry.get("model", "")).startswith("sim/"):
                self.notify(
                    f"batch {entry['batch_id']} went to the simulator of an earlier process, "
                    "which is gone: its requests are sent again (the simulator costs nothing)"
                )
                continue
            adopt.append(entry)
        self.backend = BatchBackend(
            self.endpoint_for,
            self,
            poll=self.poll,
            notify=self.notify,
            adopt=adopt,
        )
        return self.backend

    def write(self, entry: dict[str, Any]) -> None:
        """The backend's journal: a line of RUN_DIR/batches.jsonl (fsynced)."""
        self.journal.append(entry)

    def notify(self, message: str) -> None:
        """A failed, expired or re-polled batch: one line on stderr, kept in batches.jsonl."""
        self.journal.append({"event": "note", "ts": round(time.time(), 3), "message": message})
        if not self.quiet:
            print(f"workbench: {message}", file=sys.stderr, flush=True)

    def endpoint_for(self, request: dict[str, Any]) -> Endpoint:
        model = str(request["model"])
        if model.startswith("sim/"):
            return Endpoint("openai", self.sim_base, "sim", model)
        return Endpoint("openai", request.get("api_base"), request.get("api_key"), model)

    def poll(self, endpoint: Endpoint) -> tuple[float, float]:
        """(first wait between status checks, longest wait) for a batch at `endpoint`."""
        host = urlparse(endpoint.api_base or "").hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            return LOOPBACK_POLL_S, min(self.cfg.batch.max_poll_s, 1.0)
        return self.cfg.batch.poll_s, self.cfg.batch.max_poll_s

    async def _serve_sim(self) -> None:
        from aiohttp import web

        from workbench.providers.sim import make_app

        self._runner = web.AppRunner(make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.sim_base = f"http://127.0.0.1:{port}/v1"

    async def aclose(self) -> None:
        if self.backend is not None:
            await self.backend.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
        self.journal.close()
