"""`models.judge` as a list (a judge panel) in every config format, and `judge_panel`."""

import json

import pytest

from workbench.config import ModelSpec, RunConfig, load_config
from workbench.errors import ConfigError

TOML = """
[judge_panel]
combine = "mean"
min_kappa = 0.3

[[models.judge]]
model = "openai/gpt-4o-mini"

[[models.judge]]
model = "anthropic/claude-3-5-haiku"
temperature = 0
"""

YAML = """
models:
  judge:
    - openai/gpt-4o-mini
    - model: anthropic/claude-3-5-haiku
      temperature: 0
judge_panel:
  combine: mean
  min_kappa: 0.3
"""

JSON = json.dumps(
    {
        "models": {
            "judge": [
                "openai/gpt-4o-mini",
                {"model": "anthropic/claude-3-5-haiku", "temperature": 0},
            ]
        },
        "judge_panel": {"combine": "mean", "min_kappa": 0.3},
    }
)


@pytest.mark.parametrize("suffix,text", [("toml", TOML), ("yaml", YAML), ("json", JSON)])
def test_a_panel_in_every_format(tmp_path, suffix, text):
    path = tmp_path / f"config.{suffix}"
    path.write_text(text)
    cfg = load_config(path)
    assert cfg.models.panel
    assert [s.model for s in cfg.models.specs("judge")] == [
        "openai/gpt-4o-mini",
        "anthropic/claude-3-5-haiku",
    ]
    assert cfg.models.specs("judge")[1].temperature == 0
    assert cfg.judge_panel.rule(partial_credit=False) == "mean"
    assert cfg.judge_panel.min_kappa == 0.3
    again = RunConfig.model_validate_json(cfg.model_dump_json())  # config.json reads back
    assert again == cfg


def test_a_panel_from_set():
    cfg = load_config(None, ['models.judge=["openai/gpt-4o-mini", "gemini/gemini-2.0-flash"]'])
    assert [s.model for s in cfg.models.specs("judge")] == [
        "openai/gpt-4o-mini",
        "gemini/gemini-2.0-flash",
    ]


def test_a_single_judge_is_unchanged():
    default = RunConfig()
    assert isinstance(default.models.judge, ModelSpec) and not default.models.panel
    assert default.models.specs("judge") == [default.models.judge]
    dumped = default.model_dump(mode="json")["models"]["judge"]
    assert dumped == ModelSpec(model="sim/judge", max_tokens=512).model_dump(mode="json")
    one = load_config(None, ['models.judge=["openai/gpt-4o-mini"]'])
    assert one.models.judge == ModelSpec(model="openai/gpt-4o-mini")  # a list of one: that judge


def test_combine_default_follows_partial_credit():
    cfg = RunConfig()
    assert cfg.judge_panel.rule(partial_credit=False) == "majority"
    assert cfg.judge_panel.rule(partial_credit=True) == "mean"


@pytest.mark.parametrize(
    "sets,message",
    [
        (['models.judge=["openai/a", "openai/a"]'], "openai/a is listed twice"),
        (["models.judge=[]"], "at least one model"),
        (['judge_panel.combine="median"'], "judge_panel.combine"),
        (["judge_panel.min_agreement=2"], "judge_panel.min_agreement"),
        (['models.judge=["openai/a", "openai/b"]', "judge_panel.quorum=3"], "more than the"),
        (
            ['models.judge=["openai/a", {"model": "openai/b", "tempreature": 1}]'],
            "unknown config key 'models.judge.1.tempreature'",
        ),
        (['models.judge=["openai/a", {"model": "openai/b", "api_key": "x"}]'], "keys never go"),
    ],
)
def test_bad_panels_are_one_line(sets, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_config(None, sets)
    assert "\n" not in str(info.value)


def test_set_changes_one_member_of_a_panel_from_a_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(TOML)
    cfg = load_config(
        path, ["models.judge.1.temperature=0.5", "models.judge.0=gemini/gemini-2.0-flash"]
    )
    assert [(s.model, s.temperature) for s in cfg.models.specs("judge")] == [
        ("gemini/gemini-2.0-flash", None),
        ("anthropic/claude-3-5-haiku", 0.5),
    ]
    for bad in ("models.judge.model=openai/x", "models.judge.2.model=openai/x"):
        with pytest.raises(ConfigError, match=r"models.judge is a panel of 2: name a member"):
            load_config(path, [bad])
