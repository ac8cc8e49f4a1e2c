"""Every notebook executed headless through papermill on the simulator; outputs checked."""

import json
import shutil

import pytest

import workbench
from tests.support import DOCS, cli
from workbench import analysis
from workbench.notebook import RECORD_MIME, records, run_notebook

pytestmark = pytest.mark.slow
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, default_run):
    """A working folder whose runs/ already holds the demo run (so notebooks reuse it)."""
    root = tmp_path_factory.mktemp("notebooks")
    shutil.copytree(default_run.dir, root / "runs" / "demo-agentic-seed0")
    return root


def execute(name, workdir, **params):
    executed, report = run_notebook(name, params, out_dir=workdir / f"out-{name}", cwd=workdir)
    nb = json.loads(executed.read_text())
    return nb, report


def figures(nb):
    return [o for c in nb["cells"] for o in c.get("outputs", []) if PLOTLY in o.get("data", {})]


def errors(nb):
    return [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_quickstart(workdir):
    out = workdir / "qs-run"
    nb, report = execute(
        "quickstart", workdir, out_dir=str(out), max_rounds=6, seed=2, preset="autodata"
    )
    assert not errors(nb)
    run = workbench.load_run(out)
    summary = records(nb)["summary"]
    assert (
        summary["accepted"] == run.summary["accepted"]
        and summary["decisions"] == run.summary["decisions"]
    )
    assert (
        run.config.max_rounds == 6
        and run.config.seed == 2
        and run.config.acceptance.preset == "autodata"
    )
    assert len(figures(nb)) == 3
    assert report.is_file()


def test_prompt_tuning(workdir):
    nb, _ = execute("prompt_tuning", workdir, out_dir=str(workdir / "tuning"))
    assert not errors(nb)
    variants = records(nb)["variants"]
    assert [v["run"] for v in variants] == ["bundled", "edited"]
    runs = sorted((workdir / "tuning").iterdir())
    assert len(runs) == 2
    for v, path in zip(variants, runs, strict=True):
        run = workbench.load_run(path)
        assert v["acceptance_rate"] == pytest.approx(
            run.summary["documents_accepted"] / run.summary["documents"]
        )
    edited = workbench.load_run(runs[1]).header["prompts"]["challenger"]["sha256"]
    assert edited != workbench.load_run(runs[0]).header["prompts"]["challenger"]["sha256"]
    assert len(figures(nb)) == 1


def test_gap_analysis(workdir, default_run, tmp_path):
    baseline = workbench.run(out=tmp_path / "baseline", config={"mode": "baseline"})
    nb, _ = execute(
        "gap_analysis", workdir, run_dir=str(default_run.dir), baseline_dir=str(baseline.dir)
    )
    assert not errors(nb)
    got = records(nb)
    assert got["decisions"] == default_run.summary["decisions"]
    assert got["rounds_to_accept"] == analysis.rounds_to_accept(default_run.rounds).to_dict()
    table = {row["run"]: row for row in got["compare"]}
    assert (
        table["agentic"]["kept"] == table["agentic"]["accepted"] == default_run.summary["accepted"]
    )
    assert table["baseline"]["kept"] == baseline.summary["kept"]
    assert table["baseline"]["accepted"] == baseline.summary["accepted"]
    assert table["agentic"]["kept_weak_mean"] < table["baseline"]["kept_weak_mean"]
    # The baseline has no accepted decision: its mean rounds to accept is None, not NaN.
    assert table["baseline"]["mean_rounds_to_accept"] is None
    assert not any(v != v or v == "nan" for row in got["compare"] for v in row.values())
    streams = [o.get("text", "") for c in nb["cells"] for o in c.get("outputs", []) if "text" in o]
    assert not any("not JSON compliant" in "".join(t) for t in streams)
    costs = got["costs"]
    assert costs["tokens_per_accepted"] == pytest.approx(default_run.summary["tokens_per_accepted"])
    assert costs["cost_usd"] is None and costs["too_easy_tokens"] > 0  # the simulator: tokens
    assert len(figures(nb)) == 10
    assert got["panel_agreement"]["criteria"] == 0  # one judge: no panel section chart
    for by in ("question_type", "skill"):
        expected = analysis.as_records(analysis.acceptance_by(default_run.rounds, by))
        assert got[f"acceptance_by_{by}"] == expected and expected
    skills = {row["skill"] for row in got["acceptance_by_skill"]}
    assert "(untagged)" not in skills and len(skills) >= 2


def test_gap_analysis_with_a_judge_panel(workdir, tmp_path):
    """A run whose panel has a lenient member: the agreement chart and flagged criteria."""
    from tests.support.panel_server import LENIENT, PanelServer

    server = PanelServer()
    try:
        judges = ["sim/judge", {"model": f"openai/{LENIENT}", "api_base": server.api_base}]
        config = {"max_rounds": 3, "models": {"judge": judges}}
        run = workbench.run(out=tmp_path / "panel", config=config, docs=[DOCS / "article-i.txt"])
    finally:
        server.stop()
    nb, _ = execute("gap_analysis", workdir, run_dir=str(run.dir))
    assert not errors(nb)
    got = records(nb)["panel_agreement"]
    expected = analysis.agreement_summary(analysis.panel_agreement(run.rounds))
    assert got == expected and got["criteria"] > 0 and got["low"] > 0
    assert len(figures(nb)) == 11


def test_threshold_explorer(workdir, default_run):
    nb, _ = execute("threshold_explorer", workdir)
    assert not errors(nb)
    got = records(nb)
    assert got["accepted_stored"] == default_run.summary["accepted"]
    autodata = analysis.redecide(default_run.rounds, workbench.thresholds("autodata"))
    assert got["accepted_autodata"] == int((autodata["decision"] == "accepted").sum())
    assert got["flips_autodata"] == len(analysis.flips(autodata))
    from workbench.config import PRESETS

    assert set(got["accepted_by_preset"]) == set(PRESETS)  # a new preset is there too
    assert got["accepted_by_preset"]["autodata"] == got["accepted_autodata"]
    assert len(figures(nb)) == 1


def test_meta_optimization(workdir):
    nb, _ = execute(
        "meta_optimization", workdir, generations=4, seeds=1, out_dir=str(workdir / "evo")
    )
    assert not errors(nb)
    got = records(nb)
    assert set(got["pass_rates"]) == {"v0", "v1", "v2", "v3", "v4"} and "v0" in got["joined"]
    assert len(figures(nb)) == 1
    from workbench.evolve import load_population

    assert {r["id"]: r["pass_rate"] for r in load_population(workdir / "evo")} == got["pass_rates"]


def test_judge_audit(workdir):
    run_dir = workdir / "runs" / "demo-agentic-seed0"
    nb, _ = execute("judge_audit", workdir, run_dir=str(run_dir), tasks=2)
    assert not errors(nb)
    got = records(nb)
    from workbench.audit import ATTACKS, REPORT_FILE

    report = json.loads((run_dir / REPORT_FILE).read_text())
    assert got["report"] == str(run_dir / REPORT_FILE) and len(report["tasks"]) == 2
    assert got["verdict"] == report["verdict"] and got["reasons"] == report["reasons"]
    assert got["true_positive_rate"] == report["true_positive_rate"]
    assert got["false_positive_rates"] == {k: report["kinds"][k]["pass_rate"] for k in ATTACKS}
    (figure,) = figures(nb)
    bar = figure["data"][PLOTLY]["data"][0]
    assert bar["type"] == "bar" and bar["x"] == list(ATTACKS)
    assert bar["y"] == [report["kinds"][k]["pass_rate"] for k in ATTACKS]


def test_workbench_notebook_writes_an_offline_report(workdir, default_run):
    out = workdir / "cli-report"
    result = cli(
        "notebook",
        "gap_analysis",
        "-p",
        "run_dir",
        str(default_run.dir),
        "--out",
        str(out),
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    html = (out / "03_gap_analysis.html").read_text()
    assert "plotly.js v" in html and "Plotly.newPlot" in html
    assert 'src="http' not in html
    nb = json.loads((out / "03_gap_analysis.ipynb").read_text())
    assert "widgets" not in nb["metadata"]
    assert any(RECORD_MIME in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))


def test_committed_notebooks_have_no_outputs_and_a_kernelspec():
    from workbench.notebook import notebooks_dir

    books = sorted(notebooks_dir().glob("*.ipynb"))
    assert [b.stem for b in books] == [
        "01_quickstart",
        "02_prompt_tuning",
        "03_gap_analysis",
        "04_threshold_explorer",
        "05_meta_optimization",
        "06_round_browser",
        "07_judge_audit",
    ]
    for book in books:
        nb = json.loads(book.read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
            book.name
        )
        assert "parameters" in code[0]["metadata"].get("tags", []), book.name


def test_papermill_reads_every_parameter():
    """Every name assigned in a parameters cell is a parameter papermill knows (a second `=`
    or quotes in a comment make it skip the line and then reject `-p NAME`)."""
    import ast

    from papermill import inspect_notebook

    from workbench.notebook import notebooks_dir

    for book in sorted(notebooks_dir().glob("*.ipynb")):
        nb = json.loads(book.read_text())
        cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
        tree = ast.parse("".join(cell["source"]))
        assigned = [t.id for node in tree.body for t in node.targets]
        assert list(inspect_notebook(str(book))) == assigned, book.name
