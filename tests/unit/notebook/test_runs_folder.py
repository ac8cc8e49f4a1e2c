"""One runs folder for `workbench run`, the notebooks and their widgets; the latest run; a run
stopped in the RunPanel resumes with the command the panel shows."""

import asyncio
import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.support import DOCS, cli, run_async
from workbench.engines import RUNS_ENV, default_run_dir, runs_dir
from workbench.notebook import latest_run
from workbench.notebook.widgets import RunPanel
from workbench.records import load_run


def test_the_runs_folder_is_the_env_var_else_runs_of_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(RUNS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert runs_dir() == Path("runs")
    assert default_run_dir("agentic").parent == Path("runs")
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "elsewhere"))
    assert runs_dir() == tmp_path / "elsewhere"
    assert default_run_dir("baseline").parent == tmp_path / "elsewhere"


def test_notebooks_in_a_checkout_share_its_runs_folder(tmp_path, monkeypatch):
    """`jupyter lab notebooks/` starts kernels in notebooks/; `workbench run` runs at the root."""
    monkeypatch.delenv(RUNS_ENV, raising=False)
    checkout = tmp_path / "checkout"
    (checkout / "notebooks" / "runs").mkdir(parents=True)  # an old notebooks/runs is ignored
    (checkout / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(checkout)
    at_root = runs_dir().resolve()
    monkeypatch.chdir(checkout / "notebooks")
    assert runs_dir().resolve() == at_root == checkout / "runs"
    # Outside a checkout, a runs/ next to the working directory is used when there is none in it.
    plain = tmp_path / "plain"
    (plain / "runs").mkdir(parents=True)
    (plain / "notebooks").mkdir()
    monkeypatch.chdir(plain / "notebooks")
    assert runs_dir().resolve() == plain / "runs"


def _fake_run(folder: Path, name: str, mtime: float, mode: str = "agentic") -> Path:
    path = folder / name
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"config": {"mode": mode}}))
    os.utime(path / "config.json", (mtime, mtime))
    return path


def test_latest_run_is_the_newest_run_directory_not_a_demo(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))
    assert latest_run() is None  # no runs folder yet
    (tmp_path / "runs").mkdir()
    assert latest_run() is None
    older = _fake_run(tmp_path / "runs", "20260101-agentic", 1_000)
    newer = _fake_run(tmp_path / "runs", "0-named-by-hand", 2_000)
    _fake_run(tmp_path / "runs", "demo-agentic-seed0", 3_000)  # demos are not the user's runs
    _fake_run(tmp_path / "runs", "20260103-baseline", 4_000, mode="baseline")
    (tmp_path / "runs" / "not-a-run").mkdir()
    assert latest_run("agentic") == newer
    assert latest_run().name == "20260103-baseline"
    assert latest_run(root=tmp_path / "runs", mode="agentic") == newer != older


@pytest.mark.slow
def test_workbench_run_writes_into_workbench_runs_dir(tmp_path):
    target = tmp_path / "shared-runs"
    result = cli(
        "run",
        str(DOCS / "article-iii.txt"),
        "--set",
        "max_rounds=2",
        "--quiet",
        cwd=tmp_path,
        env={RUNS_ENV: str(target)},
    )
    assert result.returncode == 0, result.stderr
    made = [p for p in target.iterdir() if (p / "config.json").is_file()]
    assert len(made) == 1 and f"run directory: {made[0]}" in result.stdout
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_a_run_stopped_in_the_panel_resumes_with_the_command_it_shows(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    panel = RunPanel(refresh_s=0)
    shown = []
    panel.status.observe(lambda change: shown.append(change["new"]), "value")

    async def start_then_stop():
        task = asyncio.ensure_future(panel.run([docs], sets=["max_rounds=6"]))
        while panel._counts["rounds"] < 3:
            await asyncio.sleep(0.01)
        panel.stop()
        return await task

    stopped = run_async(start_then_stop())
    assert stopped.summary["status"] == "cancelled"
    assert panel.run_dir.parent == tmp_path / "runs"  # the runs folder, not ./runs
    assert any(s.startswith("starting") for s in shown)
    assert any("waiting for the first model reply" in s for s in shown)
    command = re.search(r"<code class='wb-resume-command'>(.*?)</code>", panel.status.value)
    assert command, panel.status.value
    words = shlex.split(command.group(1).replace("&#x27;", "'"))
    assert words[:3] == ["workbench", "run", "--resume"]

    result = cli(*words[1:], "--quiet", cwd=Path(os.sep))  # any folder: the path is absolute
    assert result.returncode == 0, result.stderr
    resumed = load_run(panel.run_dir)
    assert resumed.summary["status"] == "complete"
    assert resumed.summary["documents_done"] == stopped.summary["documents"]
    assert resumed.summary["rounds"] > stopped.summary["rounds"]
