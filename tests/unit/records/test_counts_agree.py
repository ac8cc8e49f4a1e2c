"""Accepted and kept are named apart, and every surface gives the same counts in both modes:
summary.json, the closing table and `workbench report`, the progress line, and the
comparison table notebook 03 shows."""

from __future__ import annotations

import io
import re

import pytest

import workbench
from tests.support import DOCS, cli
from workbench import analysis
from workbench.cli._progress import TextProgress
from workbench.records import format_decisions, format_summary


def _progress_counts(text: str) -> dict[str, int]:
    last = text.strip().splitlines()[-1]
    return {k: int(v) for v, k in re.findall(r"(\d+) (accepted|kept|rounds)", last)}


@pytest.mark.parametrize("mode", ["agentic", "baseline"])
def test_every_surface_counts_the_same(tmp_path, mode):
    stream = io.StringIO()
    docs = [DOCS / "article-i.txt", DOCS / "article-v.txt", DOCS / "preamble.txt"]
    run = workbench.run(
        docs,
        {"mode": mode, "max_rounds": 6},
        out=tmp_path / "r",
        listeners=[TextProgress(stream=stream)],
    )
    s = run.summary
    rounds = run.records("rounds")
    accepted = sum(r["decision"] == "accepted" for r in rounds)
    kept = len(run.records("accepted"))
    assert s["accepted"] == accepted and s["kept"] == kept
    assert s["decisions"]["accepted"] == accepted
    if mode == "baseline":
        assert kept > accepted, "baseline keeps solved tasks whatever their decision"
    else:
        assert kept == accepted
    # the progress line
    shown = _progress_counts(stream.getvalue())
    assert shown["accepted"] == accepted and shown["rounds"] == len(rounds)
    assert shown.get("kept", kept) == kept and ("kept" in shown) == (mode == "baseline")
    # the closing table and `workbench report`
    table = format_summary(s)
    assert re.search(rf"^accepted\s+{accepted} ", table, re.M)
    assert bool(re.search(rf"^kept\s+{kept} ", table, re.M)) == (mode == "baseline")
    report = cli("report", str(run.dir))
    assert report.returncode == 0
    assert table in report.stdout and format_decisions(s) in report.stdout
    assert re.search(rf"^accepted\s+{accepted}\s", format_decisions(s), re.M)
    # notebook 03's comparison table
    row = analysis.compare({mode: run}).iloc[0]
    assert row.accepted == accepted and row.kept == kept
    assert row.acceptance_rate == pytest.approx(s["documents_accepted"] / s["documents"])
    if accepted:
        assert row.calls_per_accepted == pytest.approx(s["calls"] / accepted)
    else:
        assert row.calls_per_accepted is None
    if kept:
        assert row.calls_per_kept == pytest.approx(s["calls"] / kept)
    else:
        assert row.calls_per_kept is None


def test_the_summary_labels_say_what_each_figure_is(default_run):
    text = format_summary(default_run.summary)
    assert "mean round of acceptance" in text and "paper, CS loop: 6.59" in text
    assert "rounds spent per accepted" in text and "(all rounds / accepted)" in text
    assert "failed call attempts" in text and " errors," not in text
    errors = default_run.summary["decisions"]["error"]
    assert f"({errors} error rounds)" in text
