import pytest

from workbench.config import load_config
from workbench.errors import ConfigError
from workbench.model import check_models, family


def test_family():
    assert family("openai/gpt-4o-mini") == family("gpt-4o") == "gpt"
    assert family("anthropic/claude-3-5-sonnet-20240620") == "claude"
    assert family("o3-mini") == "gpt"
    assert family("openai/Qwen2.5-7B") == "qwen"


def test_same_family_judge_and_strong_warns(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-000000")
    cfg = load_config(sets=["models.judge=openai/gpt-4o", "models.strong=openai/gpt-4o-mini"])
    (warning,) = check_models(cfg)
    assert "same model family (gpt)" in warning
    cfg = load_config(sets=["models.judge=openai/gpt-4o"])
    assert check_models(cfg) == []


def test_missing_named_key(monkeypatch):
    monkeypatch.delenv("MY_PROVIDER_KEY", raising=False)
    cfg = load_config(
        sets=["models.weak.model=openai/gpt-4o-mini", "models.weak.api_key_env=MY_PROVIDER_KEY"]
    )
    with pytest.raises(ConfigError, match=r"needs the key in \$MY_PROVIDER_KEY"):
        check_models(cfg)
    monkeypatch.setenv("MY_PROVIDER_KEY", "k-123456")
    check_models(cfg)


def test_local_server_needs_no_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    cfg = load_config(
        sets=["models.weak.model=openai/smollm", "models.weak.api_base=http://127.0.0.1:8000/v1"]
    )
    check_models(cfg, probe_endpoints=False)


@pytest.mark.slow
def test_dry_run_needs_no_keys_but_a_run_does(monkeypatch, tmp_path):
    from tests.support import cli

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    sets = [
        "--set",
        "models.strong=openai/gpt-4o",
        "--set",
        "models.strong.api_key_env=WB_NO_SUCH_KEY",
    ]
    dry = cli("run", *sets, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    real = cli("run", *sets, "--out", str(tmp_path / "r"))
    assert real.returncode == 2 and "WB_NO_SUCH_KEY" in real.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_eval_and_evolve_check_keys_and_arguments_before_any_call(monkeypatch, tmp_path):
    from tests.support import cli

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    bench = tmp_path / "bench.jsonl"
    bench.write_text(
        '{"id": "t1", "question": "Q?", "rubric": [{"criterion": "says yes", "weight": 2}]}\n'
    )
    for args, message in [
        (
            ["eval", str(bench), "--model", "openai/gpt-4o-mini", "--judge", "sim/judge"],
            "OPENAI_API_KEY",
        ),
        (["evolve", "--mutator", "openai/gpt-4o-mini"], "OPENAI_API_KEY"),
        (["evolve", "--roles", "judge"], "challenger"),
        (["evolve", "--seeds", "0"], "seeds"),
    ]:
        result = cli(*args, "--out", str(tmp_path / "out"))
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert not (tmp_path / "out").exists()
