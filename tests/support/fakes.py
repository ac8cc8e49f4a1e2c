"""Fakes for unit tests only: end-to-end tests use the real sim provider over real LiteLLM."""

from __future__ import annotations

from workbench.model import Reply


class FakeBackend:
    """A scripted backend: `enqueue` replies (optionally per model), then inspect `history`."""

    def __init__(self, *replies: str | Reply | Exception):
        self.queue: list[str | Reply | Exception] = list(replies)
        self.routes: dict[str, list] = {}
        self.history: list[dict] = []

    def enqueue(self, *replies: str | Reply | Exception, model: str | None = None) -> None:
        if model is None:
            self.queue.extend(replies)
        else:
            self.routes.setdefault(model, []).extend(replies)

    def sent(self, model: str) -> list[str]:
        """The last user message of every request to `model`."""
        return [h["messages"][-1]["content"] for h in self.history if h["model"] == model]

    async def __call__(self, **request) -> Reply:
        self.history.append(request)
        queue = self.routes.get(request["model"], self.queue)
        if not queue:
            raise AssertionError(f"FakeBackend: no reply queued for {request['model']}")
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        if isinstance(item, str):
            return Reply(item, "stop", 10, len(item) // 4)
        return item
