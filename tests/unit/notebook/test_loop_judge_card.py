"""The round browser's card shows the loop judge's verdict, escaped, and the charts colour the
`improve` decision."""

from workbench.analysis import DECISION_COLORS
from workbench.analysis._plots import UNKNOWN_COLOR, decision_color
from workbench.notebook.widgets._round_card import round_card
from workbench.records import DECISIONS, LoopJudgeVerdict, RoundRecord


def _round(loop_judge):
    return RoundRecord(
        doc_id="d",
        round=2,
        mode="agentic",
        task=None,
        quality=None,
        weak_scores=None,
        strong_scores=None,
        weak_mean=None,
        strong_mean=None,
        gap=None,
        p_value=None,
        decision="improve",
        reason="forced: case recap",
        feedback="IMPROVE — loop judge: forced: case recap",
        loop_judge=loop_judge,
        ts=0.0,
    )


def test_the_card_shows_verdict_rating_and_forced_reasons_escaped():
    lj = LoopJudgeVerdict(
        verdict="accept",
        suitability=4,
        case_recap=True,
        reason="<b>keep</b> it",
        forced=["case recap (the loop judge's case_recap flag)"],
    )
    html = round_card(_round(lj), last=True)
    assert "loop judge:</b> accept · suitability 4/5 · case recap · forced: case recap" in html
    assert "&lt;b&gt;keep&lt;/b&gt; it" in html and "<b>keep</b>" not in html
    assert "wb-loop-judge" not in round_card(_round(None), last=True)


def test_improve_is_a_decision_with_its_own_colour():
    assert "improve" in DECISIONS
    assert decision_color("improve") != UNKNOWN_COLOR
    assert "improve" in DECISION_COLORS
