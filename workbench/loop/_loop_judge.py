"""The loop judge's part of a decision: the forced-improve rules and the verdict -> decision
function, both pure over stored data, and the round step that calls the loop judge.

A round goes to the loop judge only when the thresholds accept it (under the `legal` preset,
whose thresholds are all off: every round that passed the verifier and has both sides'
rollouts). Its verdict then decides: `accepted`, or `improve` (back to the challenger with the
loop judge's reason). A question over `loop_judge.max_question_chars` or a case recap (the
loop judge's `case_recap` flag, or the fixed pattern below) is `improve` whatever the verdict.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from workbench.config import LoopJudge
from workbench.loop._acceptance import Verdict
from workbench.records import LoopJudgeVerdict
from workbench.roles import Env, LoopJudgeOutput, Task, loop_judge

_CASE = (
    r"(?:case|cases|decision|opinion|judgment|judgement|ruling|matter|dispute|lawsuit|"
    r"litigation|appeal)"
)
_HISTORY = r"(?:facts|background|procedural\s+(?:history|posture)|what\s+happened)"
_RECAP = re.compile(
    r"\b(?:summari[sz]e|summary\s+of|recap|recount|restate|retell|narrate|"
    r"(?:give|provide)\s+an\s+overview\s+of)\b[^.?!]{0,80}?\b(?:"
    + _HISTORY
    + r"|holding|outcome|"
    + _CASE
    + r")\b"
    + r"|\b(?:describe|outline)\b[^.?!]{0,40}?\b"
    + _HISTORY
    + r"\b"
    + r"|\bwhat\s+(?:happened|were\s+the\s+facts)\s+in\s+(?:this|the)\s+"
    + _CASE
    + r"\b",
    re.IGNORECASE,
)
"""A question that asks for a case to be retold (its facts, holding, history or outcome)
rather than reasoned about: "Summarise the court's decision", "Describe the facts of ...",
"What happened in this case?"."""


def case_recap_phrase(question: str) -> str | None:
    """The phrase that makes `question` a case recap by the fixed pattern, or None."""
    m = _RECAP.search(question or "")
    return " ".join(m.group(0).split()) if m else None


def forced_reasons(question: str, case_recap: bool, rules: LoopJudge) -> list[str]:
    """Why the forced-improve rules send `question` back whatever the verdict (empty: they do
    not): longer than `max_question_chars` (a question of exactly that length passes), the
    loop judge's `case_recap` flag, or (with `case_recap_check`) the case-recap pattern. Pure."""
    out = []
    n = len(question or "")
    if rules.max_question_chars is not None and n > rules.max_question_chars:
        out.append(
            f"question is {n} characters > loop_judge.max_question_chars {rules.max_question_chars}"
        )
    if case_recap:
        out.append("case recap (the loop judge's case_recap flag)")
    phrase = case_recap_phrase(question) if rules.case_recap_check else None
    if phrase is not None:
        out.append(f'case recap (the question asks to "{phrase}")')
    return out


def stored_verdict(
    out: LoopJudgeOutput | dict[str, Any], question: str, rules: LoopJudge
) -> LoopJudgeVerdict:
    """The loop judge's reply as the round stores it, with the forced-improve rules applied."""
    data = out.model_dump() if isinstance(out, LoopJudgeOutput) else dict(out)
    data.pop("forced", None)
    forced = forced_reasons(question, bool(data.get("case_recap")), rules)
    return LoopJudgeVerdict(**data, forced=forced)


def judged(rules_verdict: Verdict, lj: LoopJudgeVerdict | dict[str, Any]) -> Verdict:
    """The round's verdict once the loop judge has spoken: `rules_verdict` unless it is
    `accepted`; then `improve` when the loop judge said improve or a rule forced it, else
    `accepted`. Pure: re-deciding a stored round needs only its stored `loop_judge`."""
    if rules_verdict.decision != "accepted":
        return rules_verdict
    get = lj.get if isinstance(lj, dict) else lambda k, d=None: getattr(lj, k, d)
    forced = list(get("forced") or [])
    why = str(get("reason") or "").strip()
    if forced:
        said = (
            f" (loop judge: {get('verdict')}, {why})" if why else f" (loop judge: {get('verdict')})"
        )
        return replace(
            rules_verdict, decision="improve", reason="forced: " + "; ".join(forced) + said
        )
    if get("verdict") == "improve":
        return replace(
            rules_verdict, decision="improve", reason=why or "the loop judge said improve"
        )
    rating = get("suitability")
    return replace(
        rules_verdict,
        reason=f"loop judge: accept, suitability {rating}" + (f" ({why})" if why else ""),
    )


async def judge_round(
    env: Env, doc_id: str, number: int, task: Task, weak, strong, verdict: Verdict
) -> tuple[Verdict, LoopJudgeVerdict | None]:
    """The loop judge's say on a round the thresholds accept (when it is on); else the verdict
    unchanged and no loop-judge record."""
    if verdict.decision != "accepted" or not env.config.uses_loop_judge():
        return verdict, None
    out = await loop_judge(env, doc_id, number, task, weak, strong)
    record = stored_verdict(out, task.question, env.config.loop_judge)
    return judged(verdict, record), record
