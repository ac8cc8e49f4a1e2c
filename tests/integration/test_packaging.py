"""A built wheel (not only the editable checkout) carries every module and the bundled files,
and runs the default job on its own."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy of the sources alone: an editable install's egg-info would otherwise
    # supply a file list of its own and hide a package missing from pyproject.toml.
    source = tmp_path_factory.mktemp("source")
    for name in (
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "workbench",
        "prompts",
        "examples",
        "notebooks",
    ):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source), "-w", str(out)],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (path,) = out.glob("workbench-*.whl")
    return path


def test_wheel_has_every_module_and_bundled_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "workbench").rglob("*.py")}
    assert sources - names == set()
    bundled = {
        "workbench/_prompts/": ROOT / "prompts",
        "workbench/_examples/docs/": ROOT / "examples" / "docs",
        "workbench/_examples/long/": ROOT / "examples" / "long",
        "workbench/_notebooks/": ROOT / "notebooks",
    }
    for prefix, folder in bundled.items():
        expected = {
            prefix + p.name for p in folder.iterdir() if p.suffix in {".j2", ".txt", ".ipynb"}
        }
        assert expected and expected <= names, prefix


def test_the_installed_wheel_runs_the_default_job(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    run_dir = tmp_path / "run"
    probe = "import workbench, workbench.inputs as p; print(workbench.__file__, p.default_prompts_dir())"
    where = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert where.returncode == 0, where.stderr
    assert all(part.startswith(str(site)) for part in where.stdout.split()), where.stdout
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--out", str(run_dir)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["documents"] == 8 and summary["accepted"] > 0
