"""`rubric.style`: `evolved` is today's rubric rules exactly; `paper` fills what the user did not
set with the deployed harness's rules; explicit values win; impossible mixes are one line."""

import json

import pytest

from tests.support import FIXTURES
from workbench.config import RunConfig, load_config
from workbench.errors import ConfigError

EVOLVED = dict(
    style="evolved",
    min_criteria=2,
    max_criteria=10,
    max_weight=7,
    allow_negative=False,
    min_positive=1,
    min_negative=0,
    max_criterion_chars=500,
)
PAPER = dict(
    EVOLVED,
    style="paper",
    min_criteria=10,
    max_criteria=20,
    max_weight=10,
    allow_negative=True,
    min_positive=4,
    min_negative=3,
)


def rubric(*sets: str) -> dict:
    return load_config(None, list(sets)).rubric.model_dump()


def test_evolved_is_the_default_and_todays_rules():
    assert rubric() == EVOLVED
    assert rubric("rubric.style=evolved") == EVOLVED


def test_paper_fills_every_unset_field():
    assert rubric("rubric.style=paper") == PAPER


def test_explicit_values_win_over_the_style():
    got = rubric("rubric.style=paper", "rubric.max_weight=5", "rubric.max_criteria=15")
    assert got == PAPER | {"max_weight": 5, "max_criteria": 15}
    # and the other way round: evolved with negatives switched on by hand
    assert rubric("rubric.allow_negative=true") == EVOLVED | {"allow_negative": True}


def test_the_resolved_values_are_what_config_json_shows_and_read_back():
    cfg = load_config(None, ["rubric.style=paper", "rubric.max_weight=8"])
    written = json.loads(json.dumps(cfg.resolved().model_dump(mode="json")))
    assert written["rubric"] == PAPER | {"max_weight": 8}
    assert RunConfig.model_validate(written).rubric == cfg.rubric


def test_implied_values_are_not_frozen_by_a_later_change_of_style():
    base = load_config(None, ["rubric.style=paper"])
    back = load_config(None, ["rubric.style=evolved"], base=base)
    assert back.rubric.model_dump() == EVOLVED
    base.rubric.style = "evolved"  # assignment is validated too
    assert base.rubric.model_dump() == EVOLVED


def test_old_run_configs_load_as_evolved():
    stored = json.loads((FIXTURES / "runs" / "v0-agentic" / "config.json").read_text())
    cfg = RunConfig.model_validate(stored["config"])
    assert cfg.rubric.style == "evolved" and cfg.rubric.min_negative == 0


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (
            ["rubric.style=paper", "rubric.allow_negative=false"],
            "config: rubric: rubric.min_negative (3, from rubric.style 'paper') needs negative "
            "weights, which rubric.allow_negative (false) forbids",
        ),
        (
            ["rubric.style=paper", "rubric.max_criteria=8"],
            "rubric.min_criteria (10, from rubric.style 'paper') must be <= rubric.max_criteria (8)",
        ),
        (
            [
                "rubric.style=paper",
                "rubric.min_criteria=5",
                "rubric.max_criteria=9",
                "rubric.min_positive=7",
            ],
            "rubric.min_positive (7) + rubric.min_negative (3, from rubric.style 'paper') "
            "criteria do not fit in rubric.max_criteria (9)",
        ),
        (["rubric.min_negative=1"], "rubric.min_negative (1) needs negative weights"),
        (["rubric.style=prbench"], "rubric.style: Input should be 'evolved' or 'paper'"),
        (["rubric.min_positive=0"], "rubric.min_positive"),
    ],
)
def test_impossible_combinations_are_one_line_errors(sets, message):
    with pytest.raises(ConfigError) as err:
        load_config(None, sets)
    text = str(err.value)
    assert message in text and "\n" not in text


def test_a_paper_style_without_negatives_is_possible_when_said_so():
    got = rubric("rubric.style=paper", "rubric.allow_negative=false", "rubric.min_negative=0")
    assert got == PAPER | {"allow_negative": False, "min_negative": 0}
