"""A fault-injecting OpenAI-compatible proxy for tests: `python -m tests.support.fault_proxy UPSTREAM PORT`.

Forwards /v1/chat/completions to UPSTREAM, injecting (per request, from a seeded
RNG) 429 with Retry-After, 500/503, hangs past the client timeout, connection
resets, truncated bodies and junk (non-JSON) content. Every arriving request
is logged (model, messages, seed) as one hash per line to --log.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
from collections import Counter

from aiohttp import ClientSession, web

KINDS = ("rate_limit", "server_error", "unavailable", "hang", "reset", "truncated", "junk")


def request_hash(model: str, messages: list, seed) -> str:
    """Identifies a call: the same on both sides (client cache and provider log)."""
    canon = [model.split("/")[-1], [[m.get("role"), m.get("content")] for m in messages], seed]
    return hashlib.sha256(json.dumps(canon, sort_keys=True).encode()).hexdigest()


def make_app(
    upstream: str, rate: float, seed: int, hang_s: float, log_path: str | None
) -> web.Application:
    rng = random.Random(seed)
    counts: Counter = Counter()
    app = web.Application(client_max_size=64 * 1024 * 1024)
    log = open(log_path, "a", buffering=1) if log_path else None  # noqa: SIM115

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        data = json.loads(body)
        if log:
            log.write(request_hash(data["model"], data["messages"], data.get("seed")) + "\n")
        counts["requests"] += 1
        kind = rng.choice(KINDS) if rng.random() < rate else None
        if kind:
            counts[kind] += 1
        if kind == "rate_limit":
            return web.json_response(
                {"error": {"message": "slow down"}}, status=429, headers={"Retry-After": "0.2"}
            )
        if kind == "server_error":
            return web.json_response({"error": {"message": "boom"}}, status=500)
        if kind == "unavailable":
            return web.json_response({"error": {"message": "overloaded"}}, status=503)
        if kind == "hang":
            await asyncio.sleep(hang_s)
        if kind == "reset":
            request.transport.close()
            return web.Response(status=500)
        if kind == "junk":
            return web.Response(
                text="<html><body>502 Bad Gateway</body></html>", content_type="application/json"
            )
        async with app["session"].post(
            f"{upstream}/chat/completions", data=body, headers={"Content-Type": "application/json"}
        ) as up:
            payload = await up.read()
            status = up.status
        if kind == "truncated":
            response = web.StreamResponse(
                status=200,
                headers={"Content-Type": "application/json", "Content-Length": str(len(payload))},
            )
            await response.prepare(request)
            await response.write(payload[: len(payload) // 2])
            request.transport.close()
            return response
        return web.Response(body=payload, status=status, content_type="application/json")

    async def faults(_: web.Request) -> web.Response:
        return web.json_response(dict(counts))

    async def start(app: web.Application) -> None:
        app["session"] = ClientSession()

    async def stop(app: web.Application) -> None:
        await app["session"].close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/faults", faults)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("upstream")
    parser.add_argument("port", type=int)
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang", type=float, default=5.0)
    parser.add_argument("--log")
    args = parser.parse_args()
    web.run_app(
        make_app(args.upstream, args.rate, args.seed, args.hang, args.log),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
