"""A cache file that cannot be used is refused in one line before anything runs, on a new run
and on a resume alike."""

import json

import pytest

from tests.support import cli
from tests.unit.model.cache.helpers import filled, junk_in_the_middle

pytestmark = pytest.mark.slow


def test_a_damaged_cache_refuses_a_run_and_a_resume_in_one_line(tmp_path):
    cache = tmp_path / "calls.sqlite"
    filled(cache, 400)
    run = tmp_path / "r"
    sets = ["--set", f"cache.path={cache}", "--set", "max_rounds=1", "--quiet"]
    assert cli("run", "--out", str(run), *sets).returncode == 0
    summary = (run / "summary.json").read_text()
    junk_in_the_middle(cache)
    for args in (
        ["run", "--out", str(tmp_path / "new"), *sets],
        ["run", "--resume", str(run), *sets[:2]],
    ):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
        assert f"the call cache {cache} is damaged" in result.stderr
    assert not (tmp_path / "new").exists()
    assert (run / "summary.json").read_text() == summary
    assert "resumes" not in json.loads((run / "config.json").read_text())
