"""What the provider-format test servers share: an aiohttp app in a thread on 127.0.0.1, the
requests it received, and answers from the simulator for the role a model name stands for.

Each provider module (anthropic_server, gemini_server, ollama_server, vllm_server,
reasoning_server) only translates its wire format to and from `answer()`."""

from __future__ import annotations

import asyncio
import json
import threading

from aiohttp import web

from tests.support import free_port
from workbench.providers.sim import check_model
from workbench.providers.sim._respond import SimReply, respond


class WireServer:
    """A test server in a thread. Subclasses add routes in `routes(app)`.

    `aliases` maps a model name as the provider spells it (`claude-3-5-haiku-20241022`) to the
    simulator role answering for it (`challenger`); other names are taken as the role."""

    base_path = ""

    def __init__(self, aliases: dict[str, str] | None = None, key: str | None = None):
        self.aliases = aliases or {}
        self.key = key
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.port = free_port()
        self.api_base = f"http://127.0.0.1:{self.port}{self.base_path}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("test server did not start")

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    async def body(self, request: web.Request) -> dict | None:
        """The JSON body, recorded with the headers (None: not a JSON object)."""
        try:
            data = json.loads(await request.text())
        except ValueError:
            return None
        self.headers.append(dict(request.headers))
        if isinstance(data, dict):
            self.requests.append(data)
            return data
        return None

    def role(self, model: str) -> str | None:
        """The simulator role for a model name (None: no such model here)."""
        name = self.aliases.get(model, model)
        try:
            check_model(name)
        except ValueError:
            return None
        return name

    def answer(
        self, model: str, messages: list[dict], seed: int | None, max_tokens: int | None
    ) -> SimReply:
        """What the simulator answers for `model`'s role; `messages` as OpenAI roles and text."""
        return respond(f"sim/{self.role(model)}", messages, seed, max_tokens)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def json_object(text: str) -> dict | None:
    """The JSON object a reply's text holds (between its outer braces), or None."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(text[start : end + 1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def schema_keys(schema: object) -> set[str]:
    """Every key used in a JSON schema's nodes (names inside `properties` left out)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                for sub in value.values():
                    found |= schema_keys(sub)
            else:
                found |= schema_keys(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= schema_keys(item)
    return found
