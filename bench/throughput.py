"""Throughput, CPU per call and memory of the loop over real HTTP, per client.

    python bench/throughput.py [--latency 1.0] [--concurrency 512] [--docs 1000]
                               [--litellm-docs 250] [--seconds 15] [--memory 1000,3000,10000]

Starts the simulator behind an OpenAI-compatible server on 127.0.0.1 that answers every
request after a fixed latency L, and measures side by side in one run, at concurrency C:
  - the sequential rate (one call at a time, as in the article's pseudocode);
  - the workbench loop on N documents with `client = "http"` and `"auto"` (the default: the
    probe confirms the lean path, which the run then takes), and with `client = "litellm"`
    (on fewer documents, `--litellm-docs`: it is four times slower, and CPU-bound);
  - raw aiohttp: a bare loop of one aiohttp session at concurrency C replaying the loop's own
    requests (same bodies), the most this machine and server give;
  - LiteLLM's ceiling: a bare `litellm.acompletion` loop at concurrency C, same requests;
  - peak memory (RSS) against the number of documents, each size in a fresh process.
For each: calls/s overall (every call, the probe's included, over the whole wall time from
start to summary) and in steady state (the middle 80% of completions), the ratio of each to
the ideal C/L and to raw aiohttp's, and CPU milliseconds per call. The machine may be shared:
compare the ratios measured together, not absolute figures across runs. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class Rate:
    """One measured configuration."""

    name: str
    calls: int
    overall: float
    """Calls per second over the whole wall time."""
    steady: float
    """Calls per second over the middle 80% of completions."""
    cpu_ms: float
    """Process CPU milliseconds per call."""


def steady_rate(finished: list[float]) -> float:
    """Completions per second between the 10th and 90th percentile of finish times."""
    stamps = sorted(finished)
    lo, hi = stamps[len(stamps) // 10], stamps[9 * len(stamps) // 10]
    return 0.8 * len(stamps) / (hi - lo) if hi > lo else 0.0


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    from tests.support import free_port, wait_for_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--model", "sim"]
        + ["--port", str(port), "--latency", str(latency)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, proc, 60)
    return proc, f"http://127.0.0.1:{port}/v1"


def write_docs(n: int, path: Path) -> Path:
    """N short documents (three sentences of the bundled corpus each) as one JSONL file."""
    from workbench.providers.sim import sentences

    pool = [
        s
        for f in sorted((ROOT / "examples" / "docs").glob("*.txt"))
        for s in sentences(f.read_text())
    ]
    with open(path, "w") as f:
        for i in range(n):
            text = " ".join(pool[(i * 7 + j) % len(pool)] for j in range(3))
            f.write(json.dumps({"id": f"doc-{i:05d}", "text": text}) + "\n")
    return path


async def sequential_rate(api_base: str, calls: int = 5) -> float:
    from workbench.model.backends import get_litellm

    litellm = get_litellm()
    message = [{"role": "user", "content": "<context>\nThe Senate.\n</context>\n<question>\nQ?"}]
    kw = {"model": "openai/weak", "messages": message, "api_base": api_base, "api_key": "x"}
    await litellm.acompletion(**kw)  # warm-up
    t0 = time.perf_counter()
    for _ in range(calls):
        await litellm.acompletion(**kw)
    return calls / (time.perf_counter() - t0)


async def loop_rate(
    api_base: str, concurrency: int, docs: Path, tmp: Path, client: str, n_docs: int
):
    """The workbench loop with the default config (probe on, call cache on and fresh) and one
    `client`; returns its Rate and the requests it sent."""
    from workbench.config import sim_served
    from workbench.engines import arun
    from workbench.model import CallCache

    cache = tmp / f"cache-{client}.sqlite"
    config = {
        **sim_served(api_base, client),
        "concurrency": concurrency,
        "max_rounds": 3,
        "cache": {"path": str(cache)},
    }
    cpu0, t0 = time.process_time(), time.perf_counter()
    run = await arun([docs], config, out=tmp / f"run-{client}")
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    records = run.records("calls")
    chosen = sorted({c.get("client") or "-" for c in records if c["role"] != "probe"})
    finished = [c["ts"] for c in records if c["role"] != "probe"]
    rate = Rate(
        f"loop, client = {client:<7} ({n_docs} docs, over {'/'.join(chosen)})",
        len(records),
        len(records) / wall,
        steady_rate(finished),
        1000 * cpu / len(records),
    )
    return rate, CallCache(cache).requests()


async def bare_rate(name: str, send, concurrency: int, seconds: float, requests: list[dict]):
    """`send(request)` from `concurrency` workers for `seconds`, replaying `requests`."""
    finished: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        i = offset
        while time.perf_counter() < deadline:
            await send(requests[i % len(requests)])
            finished.append(time.perf_counter())
            i += concurrency

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    n = len(finished)
    return Rate(name, n, n / wall, steady_rate(finished), 1000 * cpu / max(1, n))


async def raw_aiohttp(api_base: str, concurrency: int, seconds: float, requests: list[dict]):
    """A bare aiohttp loop: one session, no limit on the pool, the lean path's request bodies."""
    import aiohttp

    from workbench.model.backends import request_body

    url = api_base.rstrip("/") + "/chat/completions"
    bodies = [json.dumps(request_body(r)).encode() for r in requests]
    headers = {"Content-Type": "application/json", "Authorization": "Bearer x"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def send(body: bytes) -> None:
            async with session.post(url, data=body, headers=headers) as response:
                json.loads(await response.read())

        return await bare_rate("raw aiohttp (bare loop)", send, concurrency, seconds, bodies)


async def litellm_ceiling(api_base: str, concurrency: int, seconds: float, requests: list[dict]):
    from workbench.model.backends import get_litellm

    litellm = get_litellm()

    async def send(request: dict) -> None:
        await litellm.acompletion(**{**request, "api_base": api_base, "api_key": "x"})

    return await bare_rate("bare litellm.acompletion", send, concurrency, seconds, requests)


def peak_rss_mb(n_docs: int, tmp: Path) -> tuple[float, int, float]:
    """Peak RSS of a fresh process running N short documents through the in-process simulator."""
    docs = write_docs(n_docs, tmp / f"mem-{n_docs}.jsonl")
    code = (
        "import resource, sys, time, workbench\n"
        f"t = time.perf_counter(); run = workbench.run([{str(docs)!r}], "
        "{'max_rounds': 1, 'rollouts': 1, 'verify': False, 'acceptance': {'preset': 'autodata'}, "
        f"'cache': {{'enabled': False}}, 'concurrency': 64}}, out={str(tmp / f'mem-run-{n_docs}')!r})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, run.summary['calls'], "
        "time.perf_counter() - t)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp
    )
    rss, calls, seconds = out.stdout.split()
    return float(rss), int(calls), float(seconds)


def report(rates: list[Rate], ideal: float, raw: Rate) -> None:
    print(
        f"  {'':44} {'calls':>6} {'overall':>8} {'/ C/L':>6} {'/ raw':>6}"
        f" {'steady':>8} {'/ C/L':>6} {'/ raw':>6} {'CPU ms':>7}"
    )
    for r in rates:
        print(
            f"  {r.name:44} {r.calls:6d} {r.overall:8.1f} {r.overall / ideal:6.2f}"
            f" {r.overall / raw.overall:6.2f} {r.steady:8.1f} {r.steady / ideal:6.2f}"
            f" {r.steady / raw.steady:6.2f} {r.cpu_ms:7.2f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=512)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--litellm-docs", type=int, default=250)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each bare loop")
    parser.add_argument(
        "--clients", default="http,auto,litellm", help="which clients to run the loop with"
    )
    parser.add_argument(
        "--memory", default="1000,3000,10000", help="document counts for the memory figure"
    )
    args = parser.parse_args()
    os.environ.setdefault("WORKBENCH_CACHE_DIR", tempfile.mkdtemp(prefix="bench-cache-"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    server, api_base = start_server(args.latency)
    c = args.concurrency
    try:
        sequential = await sequential_rate(api_base)
        loops, requests, raw = [], [], None
        for client in args.clients.split(","):
            n = args.litellm_docs if client == "litellm" else args.docs
            docs = write_docs(n, tmp / f"docs-{n}.jsonl")
            rate, sent = await loop_rate(api_base, c, docs, tmp, client, n)
            print(f"  measured: {rate}", flush=True)
            loops.append(rate)
            if raw is None:  # right after the first loop, replaying its requests
                requests = sent
                raw = await raw_aiohttp(api_base, c, args.seconds, requests)
                print(f"  measured: {raw}", flush=True)
        ceiling = await litellm_ceiling(api_base, c, args.seconds, requests)
    finally:
        server.terminate()
    ideal = c / args.latency
    print(
        f"server latency L = {args.latency} s, concurrency C = {c}, ideal C/L = {ideal:.0f} calls/s,"
        f" {args.docs} documents, {os.cpu_count()} cores"
    )
    print(f"  sequential loop (one call at a time): {sequential:.2f} calls/s")
    report([*loops, raw, ceiling], ideal, raw)
    print(
        "  overall: every call (probe included) over the whole wall time; steady: the middle 80%"
        " of completions"
    )
    print(
        "peak memory against documents (in-process simulator, 1 round, 1 rollout, fresh process each):"
    )
    for n in (int(x) for x in args.memory.split(",") if x):
        rss, n_calls, seconds = peak_rss_mb(n, tmp)
        print(f"  {n:6d} documents  {n_calls:7d} calls  {seconds:6.1f} s  peak RSS {rss:7.1f} MB")
    print(f"runs kept in {tmp}")


if __name__ == "__main__":
    asyncio.run(main())
