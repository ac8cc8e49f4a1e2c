"""The command line end to end, in subprocesses, as a user runs it."""

import json
import subprocess
import sys

import pytest

from .conftest import DOCS, cli


def test_help_and_import_stay_light():
    assert cli("--help").returncode == 0
    probe = "import sys, workbench; print(sorted(m for m in ('litellm', 'pandas', 'plotly') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_run_and_report(tmp_path):
    out = tmp_path / "run"
    result = cli(
        "run",
        str(DOCS / "article-iii.txt"),
        str(DOCS / "article-v.txt"),
        "--out",
        str(out),
        "--set",
        "max_rounds=6",
        "--seed",
        "3",
    )
    assert result.returncode == 0, result.stderr
    for label in (
        "documents",
        "rounds",
        "accepted",
        "mean rounds per accepted",
        "calls",
        "tokens",
        "cost",
    ):
        assert label in result.stdout
    assert f"run directory: {out}" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 2 and summary["status"] == "complete"
    assert json.loads((out / "config.json").read_text())["config"]["seed"] == 3
    report = cli("report", str(out))
    assert report.returncode == 0 and "too_easy" in report.stdout and "accepted" in report.stdout


@pytest.mark.slow
def test_baseline_mode_flag(tmp_path):
    result = cli("run", str(DOCS), "--mode", "baseline", "--out", str(tmp_path / "b"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["rounds"] == 8


def bad_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Résumé".encode("latin-1"))
    broken = tmp_path / "broken.j2"
    broken.write_text("{{ document }} {{ missing_variable }}")
    doc = str(DOCS / "article-vii.txt")
    return {
        "missing document": ([str(tmp_path / "nope.txt")], "no such document"),
        "empty document": ([str(empty)], "document is empty"),
        "binary document": ([str(binary)], "looks binary"),
        "invalid utf-8": ([str(latin)], "not valid UTF-8"),
        "unknown config key": ([doc, "--set", "rollout=3"], "unknown config key 'rollout'"),
        "threshold above 1": (
            [doc, "--set", "acceptance.strong_min=1.2"],
            "less than or equal to 1",
        ),
        "threshold below 0": (
            [doc, "--set", "acceptance.weak_max=-0.1"],
            "greater than or equal to 0",
        ),
        "weak_max >= strong_min": ([doc, "--set", "acceptance.weak_max=0.8"], "must be below"),
        "rollouts < 1": ([doc, "--set", "rollouts=0"], "rollouts"),
        "unknown role": (
            [doc, "--set", "models.critic=openai/gpt-4o"],
            "unknown role 'models.critic'",
        ),
        "unknown prompt role": (
            [doc, "--set", "prompts.critic=x.j2"],
            "unknown role 'prompts.critic'",
        ),
        "missing prompt file": (
            [doc, "--set", f"prompts.judge={tmp_path / 'none.j2'}"],
            "not found",
        ),
        "prompt does not render": (
            [doc, "--set", f"prompts.challenger={broken}"],
            "undefined variable 'missing_variable'",
        ),
        "unknown sim model": ([doc, "--set", "models.weak=sim/wizard"], "unknown sim solver"),
        "missing key": ([doc, "--set", "models.judge=openai/gpt-4o-mini"], "OPENAI_API_KEY"),
        "missing config file": (
            [doc, "--config", str(tmp_path / "c.json")],
            "config file not found",
        ),
    }


@pytest.mark.parametrize("case", list(bad_inputs(__import__("pathlib").Path("/tmp"))))
def test_bad_input_is_one_line_before_any_call(tmp_path, case):
    args, message = bad_inputs(tmp_path)[case]
    out = tmp_path / "run"
    env = {"OPENAI_API_KEY": ""}
    result = cli("run", *args, "--out", str(out), env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbench: error: ") and message in lines[0], (
        lines
    )
    assert not out.exists(), "nothing is written for bad input"


def test_existing_run_directory_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "precious.jsonl").write_text("keep me\n")
    result = cli("run", str(DOCS / "article-vii.txt"), "--out", str(out))
    assert result.returncode == 2 and "already exists and is not empty" in result.stderr
    assert (out / "precious.jsonl").read_text() == "keep me\n"
