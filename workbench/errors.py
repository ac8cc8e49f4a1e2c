"""Errors the workbench raises on purpose. Each message is one line a user can act on."""


class WorkbenchError(Exception):
    """Base for errors reported to the user as one line, with a non-zero exit."""


class ConfigError(WorkbenchError):
    """The config, a `--set`, or a prompt override is invalid."""


class DocumentError(WorkbenchError):
    """A document is missing, empty, binary, not UTF-8, or too large."""


class PromptError(WorkbenchError):
    """A prompt file is missing or does not render."""


class RunDirError(WorkbenchError):
    """The run directory cannot be created, read or resumed."""


class ModelOutputError(WorkbenchError):
    """A model's output could not be parsed or validated, even after one re-ask."""

    def __init__(self, message: str, raw: str = ""):
        super().__init__(message)
        self.raw = raw


class ProviderError(WorkbenchError):
    """A provider call failed (after retries)."""


class StopRun(WorkbenchError):
    """The run must stop now (budget, circuit breaker, fatal provider error); it can be resumed."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason
