"""The command line end to end, in subprocesses, as a user runs it."""

import json
import subprocess
import sys

import pytest

from tests.support import DOCS, cli


def test_help_and_import_stay_light():
    assert cli("--help").returncode == 0
    assert cli("--version").stdout.startswith("workbench ")
    # The package, and the layers a run needs, import neither LiteLLM nor pandas nor plotly.
    heavy = "('litellm', 'pandas', 'plotly')"
    for module in ("workbench", "workbench.engines", "workbench.records", "workbench.cli"):
        probe = f"import sys, {module}; print(sorted(m for m in {heavy} if m in sys.modules))"
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[]", module


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
        "mean round of acceptance",
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


@pytest.mark.parametrize(
    "args, message",
    [
        (["--roles", "nonsense"], "argument --roles: nonsense: only challenger and verifier"),
        (["--roles", "challenger,judge"], "reward hacking"),
        (["--seeds", "0"], "argument --seeds: must be at least 1"),
        (["--generations", "0"], "argument --generations: must be at least 1"),
        (["--holdout", "1.5"], "argument --holdout: must be between 0 and 1"),
        (["--holdout", "0"], "argument --holdout: must be between 0 and 1"),
        (["--temperature", "0"], "argument --temperature: must be positive"),
    ],
)
def test_evolve_arguments_are_checked_before_anything_runs(tmp_path, args, message):
    result = cli("evolve", *args, "--out", str(tmp_path / "evo"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()  # usage errors are one line too
    assert line.startswith("workbench evolve: error: ")
    assert message in result.stderr
    assert not (tmp_path / "evo").exists()


def test_evolve_help_shows_defaults_and_why_only_two_roles():
    out = cli("evolve", "--help").stdout
    for default in ("(default: 4)", "(default: 2)", "(default: 0.5)", "(default: 0.1)"):
        assert default in out
    assert "challenger" in out and "verifier" in out and "reward hacking" in out


@pytest.mark.parametrize("value", ["0", "-0.2", "1.5", "nan"])
def test_export_dedup_must_be_in_zero_one(tmp_path, value):
    result = cli("export", str(tmp_path), "--format", "sft", "--out", "x", "--dedup", value)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --dedup: " in result.stderr.strip().splitlines()[-1]


def test_serve_on_a_busy_port_is_a_one_line_error():
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = cli("serve", "--model", "sim", "--port", str(port), timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == f"workbench: error: port {port} is in use"


@pytest.mark.slow
def test_budget_stop_hint_raises_the_budget(tmp_path):
    out = tmp_path / "r"
    args = ["run", str(DOCS / "article-iii.txt"), "--quiet", "--no-cache", "--out", str(out)]
    result = cli(*args, "--set", "budget.tokens=5000")
    assert result.returncode == 3, result.stderr
    hint = f"resume with: workbench run --resume {out} --set budget.tokens=10000"
    assert hint in result.stderr
    again = cli("run", "--resume", str(out), "--quiet", "--set", "budget.tokens=6000")
    assert again.returncode == 3 and "--set budget.tokens=12000" in again.stderr


@pytest.mark.slow
def test_ctrl_c_prints_the_resume_command(tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "r"
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", "--quiet", "--no-cache", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    deadline = time.monotonic() + 120
    while not (out / "config.json").exists() and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert f"resume with: workbench run --resume {out}" in stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_eval_says_one_task(tmp_path, default_run):
    bench = default_run.dir / "accepted.jsonl"
    args = ["eval", str(bench), "--model", "sim/weak", "--judge", "sim/judge", "--limit", "1"]
    result = cli(*args, "--out", str(tmp_path / "ev"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 task, judge sim/judge")
