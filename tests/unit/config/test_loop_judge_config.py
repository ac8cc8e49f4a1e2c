"""The loop judge's config: its model follows the judge's until set, the section's switch and
rules, and the dry-run bound counts its calls."""

import json

import pytest
from pydantic import ValidationError

from workbench.config import RunConfig, load_config, role_specs
from workbench.inputs import Document
from workbench.loop import upper_bound
from workbench.roles import load_prompts

GPT = {"model": "openai/gpt-4o", "temperature": 0.1, "max_tokens": 300}


def test_the_loop_judge_follows_the_judge_until_set():
    cfg = load_config(None, [f"models.judge={json.dumps(GPT)}"])
    assert cfg.models.loop_judge == cfg.models.judge
    panel = load_config(None, ['models.judge=["openai/gpt-4o", "anthropic/claude-3-5-haiku"]'])
    assert panel.models.loop_judge.model == "openai/gpt-4o"  # a panel's first member
    own = load_config(None, [f"models.judge={json.dumps(GPT)}", "models.loop_judge=openai/o3"])
    assert own.models.loop_judge.model == "openai/o3"
    assert RunConfig().models.loop_judge.model == "sim/judge"


def test_setting_one_key_of_the_loop_judge_keeps_the_judges_model():
    cfg = load_config(None, [f"models.judge={json.dumps(GPT)}", "models.loop_judge.temperature=0"])
    assert cfg.models.loop_judge.model == "openai/gpt-4o"
    assert cfg.models.loop_judge.temperature == 0
    assert cfg.models.loop_judge.max_tokens == 300


def test_a_loop_judge_that_is_the_judge_is_not_checked_twice():
    cfg = load_config(None, [f"models.judge={json.dumps(GPT)}"])
    assert [w for w, _, _ in role_specs(cfg.models)][-1] == "models.judge"
    own = load_config(None, ["models.loop_judge=openai/o3"])
    assert ("models.loop_judge", "loop_judge") in [(w, r) for w, r, _ in role_specs(own.models)]


def test_an_old_config_without_the_loop_judge_reads_back_identically():
    stored = RunConfig().resolved().model_dump(mode="json")
    del stored["models"]["loop_judge"], stored["loop_judge"]
    back = RunConfig.model_validate(stored)
    assert back.models.loop_judge == back.models.judge and not back.uses_loop_judge()
    assert RunConfig.model_validate(back.model_dump(mode="json")) == back


@pytest.mark.parametrize(
    ("sets", "on"),
    [
        ([], False),
        (["acceptance.preset=legal"], True),
        (["acceptance.preset=legal", "loop_judge.enabled=false"], False),
        (["acceptance.preset=autodata", "loop_judge.enabled=true"], True),
    ],
)
def test_the_loop_judge_is_on_under_legal_or_when_enabled(sets, on):
    assert load_config(None, sets).uses_loop_judge() is on


def test_the_section_is_strict():
    with pytest.raises(ValidationError):
        RunConfig.model_validate({"loop_judge": {"max_question_char": 10}})
    with pytest.raises(ValidationError):
        RunConfig.model_validate({"loop_judge": {"max_question_chars": 0}})
    legal = load_config(None, ["acceptance.preset=legal"]).thresholds()
    assert all(
        getattr(legal, k) is None
        for k in ("weak_max", "weak_rollout_max", "strong_min", "strong_max", "min_gap", "alpha")
    )


def test_the_dry_run_bound_counts_loop_judge_calls():
    docs = [Document(id="d", text="The Senate shall have two Senators. " * 20, source="<python>")]
    prompts = load_prompts()
    legal = upper_bound(
        load_config(None, ["acceptance.preset=legal", "max_rounds=4"]), docs, prompts
    )
    # The same rollouts as legal's (5 weak, 3 strong): only the loop judge differs.
    same = ["max_rounds=4", "weak_rollouts=5", "strong_rollouts=3"]
    seed = upper_bound(load_config(None, same), docs, prompts)
    assert legal.by_role["loop_judge"]["calls"] == 2 * 4  # one call and its re-ask per round
    assert "loop_judge" not in seed.by_role
    assert legal.calls == seed.calls + 8
