"""The round card and notebook 03's table with a judge panel: agreement per criterion, low
ones flagged, each member's grades (escaped); nothing extra for a single judge."""

from workbench import analysis
from workbench.config import JudgePanel
from workbench.notebook.widgets._round_card import round_card
from workbench.records import RoundRecord
from workbench.records._frames import rounds_frame


def _panel_round(default_run) -> RoundRecord:
    record = next(r for r in default_run.records("rounds") if r["weak_rollouts"])
    n = len(record["task"]["rubric"])
    for a in record["weak_rollouts"] + record["strong_rollouts"]:
        a["panel"] = [
            {"judge": "openai/<b>x</b>", "met": a["met"]},
            {"judge": "gemini/y", "met": None},
        ]
    record["agreement"] = [
        {"criterion": i + 1, "answers": 3, "agreement": 1 / 3 if i == 0 else 1.0, "kappa": None}
        | {"low": i == 0}
        for i in range(n)
    ]
    record["low_agreement"] = [1]
    return RoundRecord.model_validate(record)


def test_the_card_shows_agreement_and_members(default_run):
    card = round_card(_panel_round(default_run), last=True)
    assert '<th title="Fleiss\' kappa">κ</th>' in card
    assert "0.33 <span class='wb-low'" in card
    assert card.count("class='wb-low'") == 2  # the flagged cell and the note
    assert "low judge agreement on criteria 1" in card
    assert "judges: openai/&lt;b&gt;x&lt;/b&gt;" in card and "gemini/y abstained" in card


def test_a_single_judge_card_has_no_panel_parts(default_run):
    record = next(r for r in default_run.typed("rounds") if r.weak_rollouts)
    card = round_card(record, last=True)
    assert "κ" not in card and "judges:" not in card and "wb-low" not in card


def test_the_agreement_table_puts_low_criteria_first(default_run):
    record = _panel_round(default_run)
    frame = rounds_frame([record.model_dump(mode="json")])
    table = analysis.panel_agreement(frame)
    assert len(table) == len(record.task.rubric)
    assert table.iloc[0]["low"] and table.iloc[0]["text"] == record.task.rubric[0].criterion
    summary = analysis.agreement_summary(table)
    assert summary["criteria"] == len(table) and summary["low"] == 1
    fig = analysis.agreement_chart(table, JudgePanel())
    assert [t.name for t in fig.data][0] == "low agreement (1)"
    empty = analysis.panel_agreement(default_run.rounds)
    assert empty.empty and analysis.agreement_summary(empty)["criteria"] == 0
    assert analysis.agreement_chart(empty, JudgePanel()).layout.annotations
