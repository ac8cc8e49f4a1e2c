"""`workbench serve`: the simulator or the bundled local model over an OpenAI-compatible API."""

from __future__ import annotations

import argparse

HELP = "serve a model over an OpenAI-compatible HTTP API on 127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        required=True,
        choices=["sim", "local"],
        help="sim: the simulator; local: SmolLM2-135M through llama.cpp's server",
    )
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: loopback only)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="sim only: fixed delay per request"
    )


def handle(args: argparse.Namespace) -> int:
    from workbench.errors import WorkbenchError

    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        import errno

        why = (
            f"port {args.port} is in use"
            if exc.errno == errno.EADDRINUSE
            else f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        )
        raise WorkbenchError(why) from None
    if args.model == "sim":
        from aiohttp import web

        from workbench.providers.sim import make_app

        port = sock.getsockname()[1]  # the one chosen, with --port 0
        print(
            f"serving the simulator at http://{args.host}:{port}/v1 "
            f"(models: openai/challenger, verifier, weak, strong, judge; api_base=http://{args.host}:{port}/v1)",
            flush=True,
        )
        web.run_app(make_app(args.latency), sock=sock, print=None, access_log=None)
        return 0
    sock.close()  # llama.cpp's server binds it itself, right after
    from workbench.providers import serve_command

    command = serve_command(args.host, args.port)
    print(
        f"serving SmolLM2-135M at http://{args.host}:{args.port}/v1 with llama.cpp's server "
        f"(model: openai/smollm2; the structured-output mode is negotiated on the first call)",
        flush=True,
    )
    import os

    os.execv(command[0], command)
    return 0


def _bind(host: str, port: int):
    """A listening socket on host:port (OSError if the port is taken), before any banner."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)
