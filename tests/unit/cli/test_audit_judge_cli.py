"""`workbench audit-judge` as a user runs it, on the simulator's judge: a run directory's tasks,
documents given to the challenger, bad input, and the hint `workbench run` prints."""

import json

import pytest

from tests.support import DOCS, cli
from workbench.audit import ATTACKS, CALLS_FILE, REPORT_FILE


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "run"
    result = cli(
        "run", str(DOCS / "preamble.txt"), str(DOCS / "article-i.txt"), "--out", str(out),
        "--set", "max_rounds=3", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def env(tmp_path):
    return {
        "WORKBENCH_CACHE_DIR": str(tmp_path / "cache"),
        "WORKBENCH_RUNS_DIR": str(tmp_path / "runs"),
    }


def check_sim_report(report, result):
    """What holds for the simulator's judge whether or not prompts fence the answer."""
    assert result.returncode == (0 if report["verdict"] == "pass" else 4), result.stderr
    assert report["status"] == "complete" and report["judge"]["model"] == "sim/judge"
    assert set(report["kinds"]) == {"reference", *ATTACKS}
    assert report["kinds"]["empty"]["pass_rate"] == 0.0
    assert report["kinds"]["empty"]["mean_score"] < 0.2
    assert report["true_positive_rate"] >= 0.5
    assert report["kinds"]["reference"]["mean_score"] > max(
        report["kinds"][k]["mean_score"] for k in ("empty", "null", "padded", "wrong_facts")
    )
    assert (report["verdict"] == "pass") == (report["reasons"] == [])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("judge sim/judge on ")
    for kind in ATTACKS:
        assert any(line.split()[:1] == [kind] for line in lines), kind
    assert f"verdict: {report['verdict'].upper()}" in result.stdout


def test_audit_of_a_run_directory(sim_run, env):
    result = cli("audit-judge", str(sim_run), "--tasks", "3", env=env)
    report = json.loads((sim_run / REPORT_FILE).read_text())
    check_sim_report(report, result)
    assert len(report["tasks"]) == 3 and report["source"] == {"run_dir": str(sim_run)}
    assert f"report: {sim_run / REPORT_FILE}" in result.stdout
    assert "auditing sim/judge on 3 task(s)" in result.stderr
    calls = [json.loads(line) for line in (sim_run / CALLS_FILE).read_text().splitlines()]
    assert len(calls) == report["calls"]["calls"] >= 3 * (1 + len(ATTACKS))
    assert {c["role"] for c in calls} == {"judge"}
    on_record = json.loads((env_path(env) / "judge_audits.json").read_text())
    assert on_record["sim/judge"]["verdict"] == report["verdict"]


def env_path(env):
    from pathlib import Path

    return Path(env["WORKBENCH_CACHE_DIR"])


def test_audit_on_documents_writes_a_new_audit_directory(env, tmp_path):
    docs = [str(DOCS / "article-v.txt"), str(DOCS / "article-vii.txt")]
    result = cli("audit-judge", *docs, "--quiet", env=env)
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.endswith("-audit")
    report = json.loads((folder / REPORT_FILE).read_text())
    check_sim_report(report, result)
    assert report["source"] == {
        "documents": ["article-v", "article-vii"],
        "challenger": "sim/challenger",
    }
    assert report["tasks"] == ["article-v#r1", "article-vii#r1"]
    roles = {json.loads(line)["role"] for line in (folder / CALLS_FILE).read_text().splitlines()}
    assert roles == {"challenger", "judge"}
    assert result.stderr == ""  # --quiet
    out = tmp_path / "chosen"
    again = cli("audit-judge", docs[0], "--tasks", "1", "--out", str(out), "--quiet", env=env)
    assert again.returncode in (0, 4) and json.loads((out / REPORT_FILE).read_text())["tasks"] == [
        "article-v#r1"
    ]


def bad_inputs(tmp_path, sim_run):
    no_tasks = tmp_path / "no-tasks"
    run = str(sim_run)
    return {
        "missing run directory": ([str(tmp_path / "nope")], "no such run directory or document"),
        "run without tasks": ([str(no_tasks)], "no round has a task"),
        "unknown sim judge": ([run, "--judge", "sim/wizard"], "unknown sim solver 'wizard'"),
        "missing key": ([run, "--judge", "openai/gpt-4o-mini"], "OPENAI_API_KEY"),
        "unknown provider": ([run, "--judge", "nonsense"], "LiteLLM cannot tell the provider"),
        "tasks below 1": ([run, "--tasks", "0"], "must be at least 1"),
        "unknown config key": ([run, "--set", "audit.taks=3"], "audit.taks"),
        "threshold above 1": (
            [run, "--set", "audit.max_false_positive_rate=2"],
            "less than or equal to 1",
        ),
        "out with a run": ([run, "--out", str(tmp_path / "o")], "--out is for documents"),
        "run and documents": ([run, str(DOCS / "preamble.txt")], "not both"),
        "missing document": ([str(DOCS / "nothing-here.txt")], "no such run directory or document"),
    }


@pytest.mark.parametrize("case", list(bad_inputs(__import__("pathlib").Path("/tmp"), "/tmp")))
def test_bad_input_is_one_line_before_any_call(case, sim_run, tmp_path, env):
    (tmp_path / "no-tasks").mkdir()
    (tmp_path / "no-tasks" / "config.json").write_text(json.dumps({"config": {}}))
    args, message = bad_inputs(tmp_path, sim_run)[case]
    before = sorted(p.name for p in sim_run.iterdir())
    result = cli("audit-judge", *args, env={**env, "OPENAI_API_KEY": ""})
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert sorted(p.name for p in sim_run.iterdir()) == before  # nothing written
    assert not (tmp_path / "runs").exists() and not (tmp_path / "o").exists()


def test_run_hints_at_a_judge_with_no_audit_on_record(env):
    judge = "models.judge=openai/gpt-4o-mini"
    result = cli("run", "--dry-run", "--set", judge, env=env)
    assert result.returncode == 0, result.stderr
    (hint,) = [line for line in result.stderr.splitlines() if "audit" in line]
    assert hint == (
        "hint: the judge openai/gpt-4o-mini has no audit on record; measure it before "
        f"spending: workbench audit-judge --set {judge}"
    )
    assert "audit" not in cli("run", "--dry-run", env=env).stderr  # the simulator's judge
    registry = env_path(env) / "judge_audits.json"
    registry.parent.mkdir(parents=True, exist_ok=True)
    registry.write_text(json.dumps({"openai/gpt-4o-mini": {"verdict": "pass"}}))
    assert "audit" not in cli("run", "--dry-run", "--set", judge, env=env).stderr
    failed = {"verdict": "fail", "at": "2026-12-03", "reasons": ["tag_breakout: passes 100%"]}
    registry.write_text(json.dumps({"openai/gpt-4o-mini": failed}))
    stderr = cli("run", "--dry-run", "--set", judge, env=env).stderr
    assert (
        "warning: the judge openai/gpt-4o-mini failed its latest audit (2026-12-03: tag_breakout"
        in stderr
    )


def test_an_unreachable_judge_endpoint_is_one_line_before_any_call(sim_run, tmp_path, env):
    from tests.support import free_port

    spec = tmp_path / "judge.json"
    spec.write_text(
        json.dumps({"model": "openai/x", "api_base": f"http://127.0.0.1:{free_port()}/v1"})
    )
    result = cli("audit-judge", str(sim_run), "--judge", str(spec), env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("workbench: error: models.judge") and "127.0.0.1" in line, line


def test_a_budget_stop_exits_3_with_a_partial_report(sim_run, env, tmp_path):
    run = tmp_path / "run"
    __import__("shutil").copytree(sim_run, run)
    result = cli("audit-judge", str(run), "--set", "budget.tokens=3000", "--quiet", env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "verdict: INCOMPLETE (budget:" in result.stdout
    assert result.stderr.startswith("workbench: audit stopped (budget)")
    report = json.loads((run / REPORT_FILE).read_text())
    assert report["status"] == "budget" and report["verdict"] == "incomplete"
    assert not (env_path(env) / "judge_audits.json").exists()  # an incomplete audit is no record
