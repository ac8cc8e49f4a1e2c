"""The pure checks of a run directory's records: each finding names its file and line."""

from __future__ import annotations

import json

import pytest

from tests.support import DOCS, FIXTURES
from workbench.errors import RunDirError
from workbench.inputs import fingerprint, load_documents
from workbench.records import (
    Problem,
    count_problems,
    example_problems,
    manifest,
    parse_lines,
    read_manifest,
    read_records,
    refusal,
    round_problems,
    write_manifest,
)

V0 = FIXTURES / "runs" / "v0-agentic"
IDS = {"article-i", "article-v", "preamble"}


def rounds():
    return list(enumerate(read_records(V0 / "rounds.jsonl", "rounds"), 1))


def examples():
    return list(enumerate(read_records(V0 / "accepted.jsonl", "accepted"), 1))


def test_a_good_run_has_no_problems():
    assert round_problems(rounds(), IDS, "agentic", 10) == []
    assert example_problems([r for _, r in rounds()], examples(), "agentic") == []


def test_every_line_that_is_not_a_record_is_a_problem_with_its_line(tmp_path):
    path = tmp_path / "rounds.jsonl"
    good = (V0 / "rounds.jsonl").read_text().splitlines()[0]
    path.write_text(f"{good}\n42\nnot json\n{{}}\n{good}\n")
    parsed, bad = parse_lines(path, "rounds")
    assert [n for n, _ in parsed] == [1, 5]
    assert [(p.file, p.line) for p in bad] == [
        ("rounds.jsonl", 2),
        ("rounds.jsonl", 3),
        ("rounds.jsonl", 4),
    ]
    assert "not a record" in bad[0].what and "not JSON" in bad[1].what
    assert "not a valid rounds record" in bad[2].what


def test_a_round_of_another_document_is_a_problem():
    rs = rounds()
    n, r = rs[0]
    rs.append((99, r.model_copy(update={"doc_id": "ghost"})))
    problems = round_problems(rs, IDS, "agentic", 10)
    assert problems == [
        Problem("rounds.jsonl", 99, "doc_id 'ghost' is not one of the run's documents")
    ]
    assert round_problems(rs, None, "agentic", 10) == []  # ids unknown: not checked by id...
    assert count_problems(rs, 3)[0].line == 99  # ...but by number


def test_repeated_out_of_order_late_and_after_acceptance_rounds_are_problems():
    rs = rounds()
    by_doc = {}
    for n, r in rs:
        by_doc.setdefault(r.doc_id, []).append((n, r))
    accepted = next(r for _, r in rs if r.decision == "accepted")
    first = rs[0][1]
    extra = [
        (101, first),  # again
        (102, accepted.model_copy(update={"round": accepted.round + 1})),  # after acceptance
        (103, first.model_copy(update={"round": 21})),  # past max_rounds (and its error rounds)
    ]
    whats = [p.what for p in round_problems(rs + extra, IDS, "agentic", 10)]
    assert "again (first at line 1)" in whats[0]
    assert "after its accepted round" in whats[1]
    assert "past max_rounds 10" in whats[2]


def test_scores_must_be_the_rollouts_scores():
    rs = rounds()
    n, r = next((n, r) for n, r in rs if r.weak_scores)
    forged = r.model_copy(update={"weak_scores": [0.0] * len(r.weak_scores)})
    if forged.weak_scores == r.weak_scores:
        forged = r.model_copy(update={"weak_scores": [1.0] * len(r.weak_scores)})
    rs[n - 1] = (n, forged)
    (problem,) = round_problems(rs, IDS, "agentic", 10)
    assert problem.line == n and "are not its weak rollouts' scores" in problem.what


def test_the_decision_check_is_applied_to_each_round():
    seen = []

    def check(record):
        seen.append(record.round)
        return "wrong" if record.decision == "accepted" else None

    problems = round_problems(rounds(), IDS, "agentic", 10, check)
    assert len(seen) == len(rounds())
    assert problems and all(p.what == "wrong" for p in problems)


def test_accepted_must_be_exactly_what_the_rounds_imply():
    good = [r for _, r in rounds()]
    ex = examples()
    duplicated = ex + [(len(ex) + 1, ex[0][1])]
    (p,) = example_problems(good, duplicated, "agentic")
    assert p.line == len(ex) + 1 and "again (first at line 1)" in p.what
    edited = [(1, ex[0][1].model_copy(update={"label": "<script>alert(1)</script>"}))] + ex[1:]
    p, missing = example_problems(good, edited, "agentic")  # its true example is missing too
    assert p.line == 1 and "differs from its round in label" in p.what
    assert missing.line is None and "is missing" in missing.what
    stray = ex + [(9, ex[0][1].model_copy(update={"id": "ghost#r1", "doc_id": "ghost"}))]
    assert "has no round in rounds.jsonl" in example_problems(good, stray, "agentic")[0].what
    missing = example_problems(good, ex[1:], "agentic")
    assert missing[0].line is None and "is missing" in missing[0].what
    assert example_problems(good, ex[1:], "agentic", missing_ok=True) == []


def test_a_refusal_is_one_line_naming_the_file_line_and_repair(tmp_path):
    problems = [Problem("rounds.jsonl", 7, "bad"), Problem("accepted.jsonl", 2, "worse")]
    message = str(refusal(tmp_path, problems, "report"))
    assert "\n" not in message
    assert message.startswith(f"cannot report {tmp_path}: {tmp_path / 'rounds.jsonl'}:7: bad")
    assert "(and 1 more)" in message and f"workbench repair {tmp_path}" in message


def test_the_manifest_agrees_with_the_documents_fingerprint(tmp_path):
    docs = load_documents([DOCS / "article-i.txt", DOCS / "preamble.txt"], 400_000)
    write_manifest(tmp_path, docs)
    assert read_manifest(tmp_path, fingerprint(docs)) == {"article-i", "preamble"}
    data = manifest(docs)
    data["documents"].append({"id": "ghost", "sha256": "00" * 32})
    (tmp_path / "documents.json").write_text(json.dumps(data))
    with pytest.raises(RunDirError, match="does not match the documents"):
        read_manifest(tmp_path, fingerprint(docs))
    assert read_manifest(tmp_path / "nowhere", None) is None
