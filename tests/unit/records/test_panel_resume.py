"""Resuming a run with a judge panel: a member's timeout may change, the panel may not."""

import json

import pytest

from workbench.config import load_config
from workbench.errors import RunDirError
from workbench.records._resume import check_compatible


def _cfg(judges):
    return load_config(None, [f"models.judge={json.dumps(judges)}"])


PANEL = ["openai/a", {"model": "gemini/b", "temperature": 0.2}]


def test_a_member_timeout_may_change():
    slower = ["openai/a", {"model": "gemini/b", "temperature": 0.2, "timeout_s": 600}]
    check_compatible(_cfg(PANEL), _cfg(slower))


@pytest.mark.parametrize(
    "other",
    [
        ["openai/a", {"model": "gemini/b", "temperature": 0.3}],
        ["openai/a"],
        [*PANEL, "anthropic/c"],
        [PANEL[1], PANEL[0]],
    ],
)
def test_a_changed_panel_refuses_to_resume(other):
    with pytest.raises(RunDirError, match="models.judge: the judge panel changed"):
        check_compatible(_cfg(PANEL), _cfg(other))
