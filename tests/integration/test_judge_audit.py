"""`workbench audit-judge` against real endpoints: a judge served over HTTP on 127.0.0.1 (through
LiteLLM) that grades honestly passes with exit 0 and is cached; the bundled SmolLM2-135M is
too weak to judge, and the audit says so (slow)."""

import json

import pytest
from aiohttp import web

from tests.support import DOCS, cli, require
from tests.support.chat_server import ChatServer, plain_config
from workbench.audit import ATTACKS, REPORT_FILE
from workbench.providers.sim._respond import SimReply
from workbench.providers.sim._server import chat_completion


class HonestJudge(ChatServer):
    """An OpenAI-compatible judge that meets every criterion exactly when the answer is one
    of the known reference answers (it is told them; a real judge is not)."""

    def __init__(self, references: list[str]):
        self.references = references
        super().__init__(policy=lambda fmt: None)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        prompt = body["messages"][-1]["content"]
        schema = body["response_format"]["json_schema"]["schema"]
        n = schema["properties"]["grades"]["minItems"]
        met = any(r in prompt for r in self.references)
        grades = [{"criterion": i, "met": met, "reason": "checked"} for i in range(1, n + 1)]
        reply = SimReply(json.dumps({"grades": grades}), "stop", len(prompt) // 4, 20 * n)
        return web.json_response(chat_completion(reply, "honest", f"c{len(self.requests)}"))


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "run"
    result = cli(
        "run", str(DOCS / "preamble.txt"), "--out", str(out), "--set", "max_rounds=3", "--quiet"
    )
    assert result.returncode == 0, result.stderr
    assert len(references(out)) >= 2  # the audits below ask for 2 tasks
    return out


def references(run_dir):
    rounds = [json.loads(line) for line in (run_dir / "rounds.jsonl").read_text().splitlines()]
    return [r["task"]["reference_answer"] for r in rounds if r["task"]]


def test_an_honest_judge_over_http_passes_exits_0_and_is_cached(sim_run, tmp_path):
    server = HonestJudge(references(sim_run))
    env = {"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")}
    spec = tmp_path / "judge.json"
    spec.write_text(json.dumps({"model": "openai/honest", "api_base": server.api_base}))
    try:
        first = cli("audit-judge", str(sim_run), "--judge", str(spec), "--tasks", "2", env=env)
        sent = len(server.requests)
        again = cli("audit-judge", str(sim_run), "--judge", str(spec), "--tasks", "2", env=env)
    finally:
        server.stop()
    assert first.returncode == 0, first.stdout + first.stderr
    assert "verdict: PASS" in first.stdout
    report = json.loads((sim_run / REPORT_FILE).read_text())
    assert report["judge"] == {"model": "openai/honest", "api_base": server.api_base}
    assert report["true_positive_rate"] == 1.0 and report["false_positive_rate"] == 0.0
    assert sent == 2 * (1 + len(ATTACKS))  # one judge call per answer, over HTTP
    assert again.returncode == 0 and len(server.requests) == sent  # all from the cache
    assert report["calls"]["cached"] == sent
    first_report = json.loads((sim_run / "judge_audit.1.json").read_text())
    assert first_report["calls"]["cached"] == 0 and first_report["kinds"] == report["kinds"]
    # On record: `workbench run` with this judge prints no hint.
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"models": {"judge": json.loads(spec.read_text())}}))
    dry = cli("run", "--dry-run", "--config", str(config), env=env)
    assert dry.returncode == 0 and "audit" not in dry.stderr, dry.stderr


def test_run_hints_at_a_served_judge_until_it_is_audited(tmp_path):
    """A run whose judge is an HTTP endpoint says, as it starts, that the judge has no audit;
    after `audit-judge RUN_DIR` (the run's own judge) it says nothing if the audit passed, and
    warns if it failed."""
    server = ChatServer(policy=lambda fmt: None)
    env = {"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(plain_config(server.api_base, max_rounds=1)))
    doc = str(DOCS / "preamble.txt")
    try:
        first = cli(
            "run", doc, "--config", str(config), "--out", str(tmp_path / "a"), "--quiet", env=env
        )
        audit = cli("audit-judge", str(tmp_path / "a"), "--tasks", "1", "--quiet", env=env)
        second = cli(
            "run", doc, "--config", str(config), "--out", str(tmp_path / "b"), "--quiet", env=env
        )
    finally:
        server.stop()
    assert first.returncode == 0, first.stderr
    expected = (
        "hint: the judge openai/judge has no audit on record; measure it before spending: "
        f"workbench audit-judge --config {config}"
    )
    assert expected in first.stderr.splitlines()
    report = json.loads((tmp_path / "a" / REPORT_FILE).read_text())
    assert report["judge"] == {"model": "openai/judge", "api_base": server.api_base}
    assert audit.returncode == (0 if report["verdict"] == "pass" else 4), audit.stderr
    lines = [line for line in second.stderr.splitlines() if "audit" in line]
    if report["verdict"] == "pass":
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith(
            "warning: the judge openai/judge failed its latest audit"
        )


@pytest.mark.slow
@pytest.mark.local_model
def test_smollm2_is_too_weak_to_judge(sim_run, tmp_path):
    require("llama_cpp", "local")
    env = {"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")}
    result = cli(
        "audit-judge", str(sim_run), "--profile", "local", "--tasks", "1", env=env, timeout=1500
    )
    report = json.loads((sim_run / REPORT_FILE).read_text())
    print(result.stdout)
    assert report["judge"]["model"] == "local/smollm2" and report["status"] == "complete"
    assert report["verdict"] == "fail" and report["reasons"], report
    assert result.returncode == 4 and "verdict: FAIL" in result.stdout
    calls = [
        json.loads(line) for line in (sim_run / "judge_audit_calls.jsonl").read_text().splitlines()
    ]
    answered = [c for c in calls if not c["error"]]
    assert answered and all(
        c["model"] == "local/smollm2" and c["prompt_tokens"] > 20 for c in answered
    )
