"""What every role call needs: the config, the prompts and the model client."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.config import RunConfig
from workbench.inputs import PromptSet
from workbench.model import ModelClient


@dataclass(frozen=True)
class Env:
    """What every agent needs: the config, the prompts and the model client."""

    config: RunConfig
    prompts: PromptSet
    client: ModelClient
