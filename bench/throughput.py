"""Throughput, CPU per call and memory of the loop over LiteLLM's real HTTP path.

    python bench/throughput.py [--latency 1.0] [--concurrency 128] [--docs 400] [--memory 1000,3000,10000]

Starts the simulator behind an OpenAI-compatible server on 127.0.0.1 that
answers every request after a fixed latency L, and measures side by side in
one run:
  - the sequential rate (one call at a time, as in the article's pseudocode);
  - LiteLLM's ceiling: a bare `litellm.acompletion` loop at concurrency C;
  - the workbench loop on N documents at concurrency C, against the ideal C/L;
  - CPU milliseconds per call in workbench code, apart from LiteLLM's own
    (the loop's process CPU per call minus the bare loop's);
  - the same loop with `client = "http"` (aiohttp straight to the endpoint, no LiteLLM);
  - peak memory (RSS) against the number of documents, each size in a fresh process.
Prints figures; asserts nothing.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    from tests.support import free_port, wait_for_port

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench",
            "serve",
            "--model",
            "sim",
            "--port",
            str(port),
            "--latency",
            str(latency),
        ],
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
    message = [
        {
            "role": "user",
            "content": "<context>\nThe Senate.\n</context>\n<question>\nQ?\n</question>",
        }
    ]
    await litellm.acompletion(
        model="openai/weak", messages=message, api_base=api_base, api_key="x"
    )  # warm-up
    t0 = time.perf_counter()
    for _ in range(calls):
        await litellm.acompletion(
            model="openai/weak", messages=message, api_base=api_base, api_key="x"
        )
    return calls / (time.perf_counter() - t0)


async def litellm_ceiling(
    api_base: str, concurrency: int, seconds: float, requests: list[dict]
) -> tuple[float, float]:
    """Calls/s and CPU ms per call of a bare acompletion loop at this concurrency, replaying the
    loop's own requests (same messages, schemas and parameters) so the CPU comparison is fair."""
    from workbench.model.backends import get_litellm

    litellm = get_litellm()
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal done
        i = offset
        while time.perf_counter() < deadline:
            request = {**requests[i % len(requests)], "api_base": api_base, "api_key": "x"}
            await litellm.acompletion(**request)
            done += 1
            i += concurrency

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return done / wall, 1000 * cpu / max(1, done)


async def loop_rate(
    api_base: str, concurrency: int, docs: Path, out: Path, cache: Path, client: str = "litellm"
):
    """Calls/s (overall and steady state) and CPU ms per call of the workbench loop, with the
    default config (call cache on, fresh), and the requests it sent."""
    from workbench.config import sim_served
    from workbench.engines import arun
    from workbench.model import CallCache

    config = {
        **sim_served(api_base, client),
        "concurrency": concurrency,
        "max_rounds": 3,
        "cache": {"path": str(cache)},
    }
    cpu0, t0 = time.process_time(), time.perf_counter()
    run = await arun([docs], config, out=out)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    calls = run.summary["calls"]
    stamps = sorted(c["ts"] + c["latency_s"] for c in run.records("calls"))
    lo, hi = stamps[len(stamps) // 10], stamps[9 * len(stamps) // 10]
    steady = (0.8 * len(stamps)) / (hi - lo) if hi > lo else 0.0
    requests = CallCache(cache).requests()
    return calls / wall, steady, 1000 * cpu / calls, calls, requests


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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="length of the bare LiteLLM loop"
    )
    parser.add_argument(
        "--memory", default="1000,3000,10000", help="document counts for the memory figure"
    )
    args = parser.parse_args()
    os.environ.setdefault("WORKBENCH_CACHE_DIR", tempfile.mkdtemp(prefix="bench-cache-"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    server, api_base = start_server(args.latency)
    try:
        sequential = await sequential_rate(api_base)
        docs = write_docs(args.docs, tmp / "docs.jsonl")
        overall, achieved, loop_cpu, calls, requests = await loop_rate(
            api_base, args.concurrency, docs, tmp / "run", tmp / "cache.sqlite"
        )
        ceiling, ceiling_cpu = await litellm_ceiling(
            api_base, args.concurrency, args.seconds, requests
        )
        _, lean, lean_cpu, lean_calls, _ = await loop_rate(
            api_base, args.concurrency, docs, tmp / "run-http", tmp / "cache-http.sqlite", "http"
        )
    finally:
        server.terminate()
    ideal = args.concurrency / args.latency
    target = min(ideal, ceiling)
    print(
        f"server latency L = {args.latency} s, concurrency C = {args.concurrency}, 2-core machine, LiteLLM HTTP path"
    )
    print(f"  sequential loop (one call at a time)   {sequential:8.2f} calls/s")
    print(f"  ideal C/L                              {ideal:8.1f} calls/s")
    print(
        f"  LiteLLM ceiling (bare acompletion)     {ceiling:8.1f} calls/s   {ceiling_cpu:5.2f} ms CPU/call"
    )
    print(
        f"  workbench loop, steady state           {achieved:8.1f} calls/s   {loop_cpu:5.2f} ms CPU/call"
        f"   ({args.docs} docs, {calls} calls; {overall:.1f} calls/s including ramp-up and tail)"
    )
    print(f"  achieved / min(C/L, ceiling)           {achieved / target:8.2f}   (target >= 0.90)")
    print(
        f"  workbench CPU per call, apart from LiteLLM: {loop_cpu - ceiling_cpu:5.2f} ms   (target <= 1 ms)"
    )
    print(f"  speed-up over the sequential loop      {achieved / sequential:8.1f}x")
    print(
        f"  workbench loop, client = http          {lean:8.1f} calls/s   {lean_cpu:5.2f} ms CPU/call"
        f"   ({lean_calls} calls; LiteLLM skipped)"
    )
    print(
        f"  http / LiteLLM path: {lean / achieved:5.2f}x calls/s, {loop_cpu / lean_cpu:5.2f}x less CPU per call;"
        f"  http / ideal C/L {lean / ideal:5.2f}"
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
