"""The preflight probe through real LiteLLM over real HTTP, against OpenAI-compatible test
servers on 127.0.0.1: a refused key, an unknown model, an unreachable host, a server that
refuses `json_schema`; one request per endpoint (plus refused modes), before any document
is read or any run directory is written."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

import workbench
from tests.support import cli, free_port
from tests.support.chat_server import DOC, ROLES, ChatServer, llama_cpp, plain_config

pytestmark = pytest.mark.slow


class KeyedServer(ChatServer):
    """A ChatServer that answers 401 unless the request carries `key`."""

    def __init__(self, policy, key: str | None = None):
        self.key = key
        super().__init__(policy)

    async def _chat(self, request: web.Request) -> web.Response:
        if self.key is not None and request.headers.get("Authorization") != f"Bearer {self.key}":
            self.requests.append(await request.json())
            error = {"message": "Incorrect API key provided", "code": "invalid_api_key"}
            return web.json_response({"error": error}, status=401)
        return await super()._chat(request)


def accept_all(fmt):
    return None


@pytest.fixture
def servers():
    made = []

    def make(policy=accept_all, key=None):
        made.append(KeyedServer(policy, key))
        return made[-1]

    yield make
    for s in made:
        s.stop()


def write(tmp_path, cfg: dict):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    return str(path)


def run_cli(tmp_path, cfg: dict, *extra):
    return cli(
        "run",
        str(DOC),
        "--config",
        write(tmp_path, cfg),
        "--out",
        str(tmp_path / "run"),
        "--quiet",
        *extra,
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache"), "WB_PROBE_KEY": "wrong-key"},
    )


def error_lines(result):
    return [line for line in result.stderr.splitlines() if line.startswith("workbench:")]


def test_a_wrong_key_is_exit_2_one_line_and_no_run_directory(servers, tmp_path):
    server = servers(key="right-key")
    cfg = plain_config(server.api_base)
    for role in ROLES:
        cfg["models"][role]["api_key_env"] = "WB_PROBE_KEY"
    result = run_cli(tmp_path, cfg)
    assert result.returncode == 2, result.stderr
    (line,) = error_lines(result)
    assert "preflight probe failed" in line and "the key was refused" in line
    assert line.count("; ") == len(ROLES) - 1  # one clause per endpoint, still one line
    assert "wrong-key" not in result.stderr
    assert not (tmp_path / "run").exists()
    assert len(server.requests) == len(ROLES)  # one per endpoint, no retry


def test_an_unknown_model_is_exit_2_one_line(servers, tmp_path):
    server = servers()
    cfg = plain_config(server.api_base)
    cfg["models"]["challenger"]["model"] = "openai/nope"
    result = run_cli(tmp_path, cfg)
    assert result.returncode == 2, result.stderr
    (line,) = error_lines(result)
    assert "models.challenger (openai/nope @" in line and "model not found" in line
    assert "; " not in line  # only the failing endpoint is named
    assert not (tmp_path / "run").exists()
    assert len(server.requests) == len(ROLES)


def test_an_unreachable_host_is_exit_2_one_line(tmp_path):
    cfg = plain_config(f"http://127.0.0.1:{free_port()}/v1")
    result = run_cli(tmp_path, cfg)
    assert result.returncode == 2, result.stderr
    (line,) = error_lines(result)
    assert "cannot reach" in line and "is the server running?" in line
    assert not (tmp_path / "run").exists()
    # --no-probe still tries the TCP connection: the same answer, without a request.
    result = run_cli(tmp_path, cfg, "--no-probe")
    assert result.returncode == 2 and "cannot reach" in result.stderr


def test_check_shows_the_negotiated_mode_and_writes_only_the_memory(servers, tmp_path):
    server = servers(llama_cpp)
    cache = tmp_path / "cache"
    result = cli(
        "check",
        "--config",
        write(tmp_path, plain_config(server.api_base)),
        cwd=tmp_path,
        env={"WORKBENCH_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["endpoint", "roles", "ok"]
    assert len(lines) == 1 + len(ROLES)
    assert all(" ok " in line and "json_object_schema" in line for line in lines[1:])
    # One refused json_schema and one answer per endpoint.
    assert len(server.requests) == 2 * len(ROLES)
    memory = json.loads((cache / "structured_modes.json").read_text())
    assert set(memory.values()) == {"json_object_schema"} and len(memory) == len(ROLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "config.json"]
    assert [p.name for p in cache.iterdir()] == ["structured_modes.json"]


def test_check_fails_with_exit_2(servers, tmp_path):
    server = servers()
    cfg = plain_config(server.api_base)
    cfg["models"]["judge"]["model"] = "openai/nope"
    result = cli(
        "check", "--config", write(tmp_path, cfg), env={"WORKBENCH_CACHE_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert "FAIL" in result.stdout
    (line,) = error_lines(result)
    assert "models.judge" in line and "model not found" in line


def test_a_sim_only_config_probes_nothing(tmp_path):
    result = cli("check", env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert "nothing to probe" in result.stdout
    assert not (tmp_path / "cache").exists()


def test_a_run_records_the_probe_and_starts_at_the_negotiated_mode(servers, tmp_path, monkeypatch):
    server = servers(llama_cpp)
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    run = workbench.run([DOC], plain_config(server.api_base, max_rounds=1), out=tmp_path / "run")
    calls = run.records("calls")
    probes = [c for c in calls if c["role"] == "probe"]
    assert len(probes) == 2 * len(ROLES) and {c["doc_id"] for c in probes} == {"preflight"}
    # Every refusal happened in the probe: the run's own calls start at the working mode.
    assert all(not c["error"] for c in calls if c["role"] != "probe")
    assert run.summary["calls"] == len(calls) == len(server.requests)
    paid = sum((c["prompt_tokens"] or 0) + (c["completion_tokens"] or 0) for c in probes)
    assert paid > 0 and run.summary["paid_tokens"] >= paid


def test_workbench_run_prints_the_probe_table(servers, tmp_path):
    server = servers(llama_cpp)
    cfg = plain_config(server.api_base, max_rounds=1)
    result = cli(
        "run",
        str(DOC),
        "--config",
        write(tmp_path, cfg),
        "--out",
        str(tmp_path / "run"),
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stderr.splitlines() if "json_object_schema" in line]
    assert len(table) == len(ROLES) and all(" ok " in line for line in table)
    # --no-probe: no table and no probe records.
    (tmp_path / "x").mkdir()
    result = run_cli(tmp_path / "x", cfg, "--no-probe")
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in (tmp_path / "x" / "run" / "calls.jsonl").open()]
    assert calls and not [c for c in calls if c["role"] == "probe"]


def test_bad_input_is_found_before_the_probe_spends_a_request(servers, tmp_path):
    server = servers()
    cfg = plain_config(server.api_base)
    missing = cli(
        "run",
        str(tmp_path / "nope.txt"),
        "--config",
        write(tmp_path, cfg),
        "--quiet",
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert missing.returncode == 2 and "no such document" in missing.stderr
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    taken = cli(
        "run",
        str(DOC),
        "--config",
        write(tmp_path, cfg),
        "--out",
        str(tmp_path / "taken"),
        "--quiet",
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert taken.returncode == 2 and "already exists" in taken.stderr
    assert server.requests == []  # neither cost a probe request


class PickyGateway(ChatServer):
    """A gateway that refuses (400) requests from generic HTTP clients such as aiohttp, as some
    do, and answers the OpenAI SDK that LiteLLM drives."""

    def __init__(self):
        self.agents: list[str] = []
        super().__init__(accept_all)

    async def _chat(self, request: web.Request) -> web.Response:
        agent = request.headers.get("User-Agent", "")
        self.agents.append(agent)
        if "aiohttp" in agent:
            self.requests.append(await request.json())
            error = {"message": "this gateway only takes its SDK's requests", "code": 400}
            return web.json_response({"error": error}, status=400)
        return await super()._chat(request)


def test_auto_takes_the_lean_path_the_probe_confirmed(servers, tmp_path):
    server = servers()
    result = cli(
        "run",
        str(DOC),
        "--config",
        write(tmp_path, plain_config(server.api_base, max_rounds=1)),
        "--out",
        str(tmp_path / "run"),
        env={"WORKBENCH_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stderr.splitlines() if line.startswith("openai/")]
    assert len(table) == len(ROLES) and all(line.split()[5] == "http" for line in table)
    calls = [json.loads(line) for line in (tmp_path / "run" / "calls.jsonl").open()]
    assert {c["client"] for c in calls} == {"http"}  # the probe's calls and the run's
    assert len(calls) == len(server.requests) and all(not c["error"] for c in calls)


def test_auto_stays_on_litellm_where_the_lean_path_is_refused(tmp_path, monkeypatch):
    gateway = PickyGateway()
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    try:
        cfg = plain_config(gateway.api_base, max_rounds=1)
        run = workbench.run([DOC], cfg, out=tmp_path / "run")
    finally:
        gateway.stop()
    calls = run.records("calls")
    probes = [c for c in calls if c["role"] == "probe"]
    # Per endpoint: the lean path refused once, then LiteLLM answered; the run stays on LiteLLM.
    assert sorted((c["client"], bool(c["error"])) for c in probes) == sorted(
        [("http", True), ("litellm", False)] * len(ROLES)
    )
    rest = [c for c in calls if c["role"] != "probe"]
    assert rest and {c["client"] for c in rest} == {"litellm"} and not any(c["error"] for c in rest)
    assert run.summary["accepted"] + run.summary["rounds"] > 0
    assert sum("aiohttp" in a for a in gateway.agents) == len(ROLES)


def test_explicit_litellm_is_used_as_given(servers, tmp_path, monkeypatch):
    server = servers()
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    cfg = plain_config(server.api_base, max_rounds=1)
    for role in ROLES:
        cfg["models"][role]["client"] = "litellm"
    run = workbench.run([DOC], cfg, out=tmp_path / "run")
    assert {c["client"] for c in run.records("calls")} == {"litellm"}
