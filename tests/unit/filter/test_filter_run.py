"""`workbench filter RUN_DIR` on a simulator run with planted leaky, short, malformed and clean
examples, as a user's damaged or leaky data would look; `final_filter = true` in a run."""

from __future__ import annotations

import json
import shutil

import pytest

import workbench
from tests.support import DOCS, cli
from workbench.config import sim_served
from workbench.records import read_filtered

CLEAN = (
    "The delegates debated for weeks how the new government would raise money, settle disputes "
    "between the states and keep any one branch from gathering too much power. They borrowed "
    "from colonial charters and state constitutions, and they argued over every clause."
)


def rewrite(path, change) -> None:
    """Apply `change(record)` to every line of a JSONL file."""
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    path.write_text("".join(json.dumps(change(r)) + "\n" for r in lines))


def plant(run_dir, example_id: str, **task) -> None:
    """Change an accepted example's task fields in accepted.jsonl and in its round, as a user
    editing both files would (the run stays consistent: it is data, not damage)."""
    doc_id, rnd = example_id.rsplit("#r", 1)

    def in_round(r):
        if r["doc_id"] == doc_id and r["round"] == int(rnd):
            r["task"].update(task)
        return r

    rewrite(run_dir / "rounds.jsonl", in_round)
    rewrite(run_dir / "accepted.jsonl", lambda e: e | task if e["id"] == example_id else e)


ROLES = ("clean", "leak", "short", "rubric", "verifier")
"""The planted kinds, given to the first accepted examples in id order; the rest stay as the
simulator wrote them (each cloze context holds its answer sentence: `reference_leak`)."""


@pytest.fixture
def picks(default_run) -> dict[str, str]:
    """Which accepted example of the default sim run gets which planted kind; `rest` lists the
    ones left as the simulator wrote them."""
    examples = {e["id"]: e for e in workbench.load_run(default_run.dir).records("accepted")}
    ids = sorted(examples)
    assert len(ids) > len(ROLES), ids
    rest = ids[len(ROLES) :]
    # A cloze context the simulator cut to a sentence or two is short as it stands (the
    # defaults: under 200 characters or 30 words).
    short_rest = [
        i
        for i in rest
        if len(examples[i]["context"].strip()) < 200 or len(examples[i]["context"].split()) < 30
    ]
    return {**dict(zip(ROLES, ids, strict=False)), "rest": rest, "short_rest": short_rest}


@pytest.fixture
def planted(default_run, picks, tmp_path):
    """A copy of the default sim run with one example of each kind planted."""
    run_dir = tmp_path / "run"
    shutil.copytree(default_run.dir, run_dir)
    examples = {e["id"]: e for e in workbench.load_run(run_dir).records("accepted")}
    ref = examples[picks["leak"]]["reference_answer"]
    plant(run_dir, picks["clean"], context=CLEAN)  # clean: retained
    plant(run_dir, picks["leak"], context=CLEAN + " " + ref)  # the reference copied in
    plant(run_dir, picks["short"], context="We the People.")  # short
    rubric = examples[picks["rubric"]]["rubric"]
    plant(run_dir, picks["rubric"], context=CLEAN, rubric=[rubric[0], dict(rubric[0]), *rubric[2:]])
    plant(run_dir, picks["verifier"], context=CLEAN + " You must answer briefly.")  # verifier
    return run_dir


def expected(picks) -> dict[str, list[str]]:
    kinds_of = {
        "clean": [],
        "leak": ["reference_leak"],
        "short": ["short_context"],
        "rubric": ["malformed_rubric"],
        "verifier": ["failed_verifier"],
    }
    return {picks[k]: v for k, v in kinds_of.items()} | {
        i: sorted(["reference_leak", *(["short_context"] if i in picks["short_rest"] else [])])
        for i in picks["rest"]
    }


def doc_of(example_id: str) -> str:
    return example_id.rsplit("#r", 1)[0]


def kinds(record) -> list[str]:
    return sorted({r.split(":", 1)[0] for r in record.reasons})


def filter_calls(run_dir) -> list[dict]:
    calls = [json.loads(line) for line in (run_dir / "calls.jsonl").read_text().splitlines()]
    return [c for c in calls if c.get("stage") == "filter"]


def test_filter_a_planted_run(planted, picks, tmp_path):
    n = len(ROLES) + len(picks["rest"])
    result = cli("filter", str(planted))
    assert result.returncode == 0, result.stderr
    assert f"final filter: {n} accepted -> 1 retained" in result.stdout
    assert f"reference_leak {n - 4}" in result.stdout and "failed_verifier 1" in result.stdout
    records = {r.example_id: r for r in read_filtered(planted)}
    assert {i: kinds(r) for i, r in records.items()} == expected(picks)
    assert [i for i, r in records.items() if r.retained] == [picks["clean"]]
    # Only the two that passed the free checks were re-verified, each a verifier call marked
    # as the filter's, recorded in the run's calls.jsonl.
    assert sorted(i for i, r in records.items() if r.verified) == sorted(
        [picks["clean"], picks["verifier"]]
    )
    assert records[picks["clean"]].checks.verifier.ok
    assert "tells the solver" in records[picks["verifier"]].reasons[0]
    calls = filter_calls(planted)
    assert {(c["role"], c["doc_id"]) for c in calls} == {
        ("verifier", doc_of(picks["clean"])),
        ("verifier", doc_of(picks["verifier"])),
    }
    assert not any(c["cached"] for c in calls)
    # The summary and the report say accepted -> retained.
    summary = json.loads((planted / "summary.json").read_text())
    assert (
        summary["retained"] == 1
        and summary["calls"] == workbench.load_run(planted).summary["calls"]
    )
    report = cli("report", str(planted))
    assert report.returncode == 0, report.stderr
    assert f"{n} accepted → 1 retained" in report.stdout
    # Exports use the retained set, and say so; --all-accepted exports every accepted example.
    out = cli("export", str(planted), "--format", "sft", "--out", str(tmp_path / "sft.jsonl"))
    assert out.returncode == 0, out.stderr
    assert f"retained set, {n - 1} not retained left out" in out.stdout
    rows = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [picks["clean"]]
    card = (tmp_path / "sft.jsonl.card.md").read_text()
    assert f"{n} accepted → 1 retained" in card and "the retained examples" in card
    every = cli(
        "export",
        str(planted),
        "--format",
        "sft",
        "--out",
        str(tmp_path / "all.jsonl"),
        "--all-accepted",
        "--dedup",
        "1",
    )
    assert every.returncode == 0, every.stderr
    assert "every accepted example" in every.stdout
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == n

    # Filtering again replaces filtered.jsonl (the simulator is never cached: see
    # test_the_filter_s_calls_are_cached for a served model).
    again = cli("filter", str(planted))
    assert again.returncode == 0, again.stderr
    assert {r.example_id: kinds(r) for r in read_filtered(planted)} == expected(picks)
    assert len(filter_calls(planted)) == 2 * len(calls)


def test_no_verify_and_settings(planted, picks):
    result = cli("filter", str(planted), "--no-verify", "--set", "filter.min_context_chars=5")
    assert result.returncode == 0, result.stderr
    assert "free checks only" in result.stdout and not filter_calls(planted)
    records = {r.example_id: r for r in read_filtered(planted)}
    # No re-verification: the verifier's objection is not raised; a 14-character context
    # passes the character floor of 5 but not the word floor.
    assert records[picks["verifier"]].retained and not records[picks["verifier"]].verified
    assert "words" in records[picks["short"]].reasons[0]
    # A filtered run is a consistent run: nothing to repair.
    assert "nothing to repair" in cli("repair", str(planted)).stdout
    bad = cli("filter", str(planted), "--set", "max_rounds=3")
    assert bad.returncode == 2 and "filter.* and budget.*" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_the_filter_is_counted_in_the_run_s_budget(planted):
    # The run already spent far more than 10 tokens: the re-verification stops before a call.
    result = cli("filter", str(planted), "--set", "budget.tokens=10")
    assert result.returncode == 3, result.stderr
    assert "filter stopped (budget)" in result.stderr and "nothing written" in result.stderr
    assert not (planted / "filtered.jsonl").exists() and not filter_calls(planted)


def test_bad_input_is_one_line(planted, tmp_path):
    missing = cli("filter", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "is not a run directory" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    (planted / "rounds.jsonl").write_text("{not json\n" + (planted / "rounds.jsonl").read_text())
    damaged = cli("filter", str(planted))
    assert damaged.returncode == 2 and "rounds.jsonl:1" in damaged.stderr
    assert "workbench repair" in damaged.stderr and not (planted / "filtered.jsonl").exists()


def test_damaged_filtered_jsonl_is_one_line(planted, picks, tmp_path):
    n = len(ROLES) + len(picks["rest"])
    assert cli("filter", str(planted), "--no-verify").returncode == 0
    path = planted / "filtered.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(
        lines[0] + lines[1].replace(b'"doc_id":"', b'"doc_id":"\xff\xfe', 1) + b"".join(lines[2:])
    )
    for args in (
        ["report", str(planted)],
        ["export", str(planted), "--format", "sft", "--out", str(tmp_path / "x.jsonl")],
    ):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert "filtered.jsonl:2" in result.stderr and "not UTF-8" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    with pytest.raises(workbench.errors.RunDirError, match="filtered.jsonl:2"):
        read_filtered(planted)
    # `workbench repair` sets the damaged line aside; filtering again rewrites the file whole.
    repaired = cli("repair", str(planted))
    assert repaired.returncode == 0 and "filtered.jsonl: 1 line set aside" in repaired.stdout
    stale = cli("export", str(planted), "--format", "sft", "--out", str(tmp_path / "y.jsonl"))
    assert stale.returncode == 2 and f"covers {n - 1} of {n} accepted examples" in stale.stderr
    assert cli("filter", str(planted), "--no-verify").returncode == 0
    assert len(read_filtered(planted)) == n


def test_a_run_with_nothing_accepted_is_0_to_0(tmp_path):
    run_dir = tmp_path / "run"
    made = cli(
        "run",
        str(DOCS / "article-iii.txt"),
        "--out",
        str(run_dir),
        "--set",
        "max_rounds=1",
        "--quiet",
    )
    assert made.returncode == 0, made.stderr
    assert workbench.load_run(run_dir).summary["accepted"] == 0
    result = cli("filter", str(run_dir))
    assert result.returncode == 0, result.stderr
    assert "final filter: 0 accepted -> 0 retained" in result.stdout
    assert (run_dir / "filtered.jsonl").read_text() == ""
    assert workbench.load_run(run_dir).summary["retained"] == 0


def test_final_filter_at_the_end_of_a_run(tmp_path):
    # Lenient leak settings, so the simulator's cloze tasks reach the re-verification.
    # article-v reaches an accepted question with a long context in the default seed-0 run.
    run_dir = tmp_path / "run"
    result = cli(
        "run",
        str(DOCS / "article-v.txt"),
        str(DOCS / "preamble.txt"),
        "--out",
        str(run_dir),
        "--set",
        "final_filter=true",
        "--set",
        "filter.leak_ngram=1000",
        "--set",
        "filter.leak_share=1",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    run = workbench.load_run(run_dir)
    records = read_filtered(run_dir)
    assert run.summary["accepted"] >= 1 and len(records) == run.summary["accepted"]
    stored = json.loads((run_dir / "summary.json").read_text())
    assert stored["retained"] == sum(r.retained for r in records) == run.summary["retained"]
    assert "final filter" in result.stdout and "retained" in result.stdout
    verified = [r for r in records if r.verified]
    assert verified and len(filter_calls(run_dir)) >= len(verified)
    # The run's records still check out (workbench report re-validates everything).
    assert cli("report", str(run_dir)).returncode == 0


def test_the_filter_s_calls_are_cached(sim_server, tmp_path):
    """Over a served model: the end-of-run filter's verifier calls are the run's (recorded,
    `stage: filter`); filtering again replays them from the cache, sending nothing."""
    run_dir = tmp_path / "run"
    config = {
        **sim_served(sim_server.api_base),
        "cache": {"path": str(tmp_path / "cache.sqlite")},
        "final_filter": True,
        "filter": {"leak_ngram": 1000, "leak_share": 1.0},
    }
    run = workbench.run([DOCS / "article-v.txt"], config, out=run_dir)
    assert run.summary["status"] == "complete", run.summary["stop_reason"]
    first = filter_calls(run_dir)
    records = read_filtered(run_dir)
    assert len(records) == run.summary["accepted"] >= 1
    assert first and all(c["role"] == "verifier" and not c["cached"] for c in first)
    before = sim_server.stats()["requests"]
    done = workbench.engines.filter_run(run_dir)
    assert sim_server.stats()["requests"] == before, "every verifier reply came from the cache"
    again = filter_calls(run_dir)[len(first) :]
    assert again and all(c["cached"] for c in again) and done.cost_usd in (None, 0.0)
    assert [r.retained for r in read_filtered(run_dir)] == [r.retained for r in records]
