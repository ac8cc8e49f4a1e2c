import json

import pytest

from workbench.config import ModelSpec, load_config, parse_set
from workbench.errors import ConfigError


def test_defaults_run_offline():
    cfg = load_config()
    assert cfg.models.weak.model == "sim/weak" and cfg.rollouts == 3 and cfg.max_rounds == 10
    assert cfg.concurrency == 32 and cfg.acceptance.preset == "seed"


def test_set_dotted_keys_and_json_values():
    cfg = load_config(
        sets=[
            "acceptance.weak_max=0.25",
            "models.weak=openai/gpt-4o-mini",
            "rollouts=5",
            "models.judge.temperature=0",
            "verify=false",
        ]
    )
    assert cfg.thresholds().weak_max == 0.25
    assert cfg.models.weak == ModelSpec(model="openai/gpt-4o-mini")
    assert cfg.rollouts == 5 and cfg.models.judge.temperature == 0 and cfg.verify is False


def test_parse_set():
    assert parse_set("a.b=1") == ("a.b", 1)
    assert parse_set("m=openai/x") == ("m", "openai/x")
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_set("novalue")


def test_file_then_sets(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"rollouts": 4, "acceptance": {"preset": "autodata"}}))
    cfg = load_config(path, ["acceptance.min_gap=0.3"])
    assert (
        cfg.rollouts == 4 and cfg.thresholds().min_gap == 0.3 and cfg.thresholds().weak_max == 0.65
    )


def test_toml_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        'rollouts = 4\n[models.weak]\nmodel = "openai/gpt-4o-mini"\napi_key_env = "MY_KEY"\n'
    )
    cfg = load_config(path)
    assert cfg.models.weak.api_key_env == "MY_KEY"


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["temperature=1"], "unknown config key 'temperature'"),
        (["models.critic=openai/x"], "unknown role 'models.critic'"),
        (
            ["acceptance.weak_max=1.5"],
            "acceptance.weak_max: Input should be less than or equal to 1",
        ),
        (["acceptance.strong_min=-0.1"], "acceptance.strong_min"),
        (["acceptance.weak_max=0.9"], "must be below acceptance.strong_min"),
        (["rollouts=0"], "rollouts: Input should be greater than or equal to 1"),
        (["rollouts=2"], "cannot be reached with rollouts=2"),
        (["models.weak.api_key=sk-abc"], "keys never go in a config"),
        (["acceptance.preset=strict"], "acceptance.preset"),
        (
            ['models.weak.extra={"extra_headers": {"Authorization": "Bearer sk-x"}}'],
            "extra_headers.Authorization",
        ),
        (['models.weak.extra={"aws_secret_access_key": "abc"}'], "aws_secret_access_key"),
        (['models.weak.extra={"azure_ad_token": "abc"}'], "azure_ad_token"),
        (['models.weak.extra={"base_url": "http://h/v1"}'], "['base_url'] cannot go in `extra`"),
        (["models.weak.api_base=http://u:sk-x@h/v1"], "must not carry credentials"),
        (["models.weak.api_base=http://h/v1?api_key=sk-x"], "must not carry a key"),
        (["models.weak.api_base=http://[::1/v1"], "not a valid URL"),
        (["models.weak.api_base=http://h:99999/v1"], "not a valid URL"),
        (["models.weak.api_base=ftp://h/v1"], "http:// or https://"),
        (
            ['models.weak.extra={"extra_headers": {"Ocp-Apim-Subscription-Key": "abc"}}'],
            "Ocp-Apim-Subscription-Key",
        ),
        (['models.weak.extra={"extra_headers": {"X-Custom": "Bearer sk-x"}}'], "X-Custom"),
    ],
)
def test_bad_values_are_one_line_errors(sets, message):
    with pytest.raises(ConfigError) as info:
        load_config(sets=sets)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(bad)
    latin = tmp_path / "c.toml"
    latin.write_bytes(b"rollouts = 3\n\xff\n")
    with pytest.raises(ConfigError, match="cannot read as UTF-8 text"):
        load_config(latin)


def test_prompt_paths_relative_to_config_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "c.json"
    path.write_text(json.dumps({"prompts": {"judge": "my_judge.j2"}}))
    assert load_config(path).prompts.judge == str(tmp_path / "sub" / "my_judge.j2")


def test_resolved_config_reads_back_with_the_same_thresholds():
    from workbench.config import RunConfig

    for sets in (
        [],
        ["acceptance.preset=autodata", "acceptance.min_gap=0.3"],
        ["acceptance.alpha=null"],
    ):
        cfg = load_config(sets=sets)
        again = RunConfig.model_validate(cfg.resolved().model_dump(mode="json"))
        assert again.thresholds() == cfg.thresholds()


def test_a_credential_in_api_base_is_not_echoed():
    with pytest.raises(ConfigError) as info:
        load_config(sets=["models.weak.api_base=http://user:hunter22@h/v1"])
    assert "hunter22" not in str(info.value)


def test_ordinary_extras_and_endpoints_pass():
    spec = ModelSpec(
        model="openai/x",
        api_base="https://example.org:8443/v1?api-version=2024-06-01",
        extra={"top_p": 0.9, "max_completion_tokens": 50, "extra_headers": {"X-Trace": "1"}},
    )
    assert spec.extra["top_p"] == 0.9
