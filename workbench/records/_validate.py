"""Whether a run directory's records agree with each other: pure checks over records read back.

Every line must parse to its typed record; every round must belong to one of the run's
documents, come once, in order, before its document's accepted round and within
`max_rounds` (error rounds counted apart, see `RoundCount`); its scores must be those of its rollouts; its decision must be what the
acceptance rule gives (a check passed in by the loop, which owns `decide()`); and
accepted.jsonl must hold exactly the examples the rounds imply. Each finding is a `Problem`
naming the file and line, so a refusal can point at the first bad line and `workbench repair`
can set the bad ones aside."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import RunDirError
from workbench.records._jsonl import numbered_lines
from workbench.records._state import RoundCount, round_limit, to_example
from workbench.records._types import Example, RoundRecord

DecisionCheck = Callable[[RoundRecord], "str | None"]
"""What is wrong with a round's decision (None when it is what the rule gives)."""

EXAMPLE_FIELDS = (
    "id",
    "doc_id",
    "parent",
    "round",
    "context",
    "question",
    "reference_answer",
    "rubric",
    "label",
    "weak_scores",
    "strong_scores",
    "decision",
)
"""What an example must share with its round (the rest are derived or bookkeeping)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a record file: which file, which line (None: the file as a whole)."""

    file: str
    line: int | None
    what: str

    def where(self, run_dir: Path) -> str:
        path = Path(run_dir) / self.file
        return f"{path}:{self.line}" if self.line is not None else str(path)


def refusal(run_dir: Path, problems: list[Problem], doing: str) -> RunDirError:
    """The one-line error for the first problem (problems are in file and line order)."""
    p = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return RunDirError(
        f"cannot {doing} {run_dir}: {p.where(run_dir)}: {p.what}{more}; "
        f"run `workbench repair {run_dir}` to set damaged lines aside and rebuild derived files"
    )


def parse_lines(path: Path, kind: str) -> tuple[list[tuple[int, object]], list[Problem]]:
    """Every complete line of a record file: (line number, typed record), and a Problem for
    each line that is not a record of its file (a torn last line is neither: it is dropped)."""
    from workbench.records._read import parse_record

    good: list[tuple[int, object]] = []
    bad: list[Problem] = []
    for n, text in numbered_lines(path):
        try:
            good.append((n, parse_record(kind, json.loads(text), "")))
        except json.JSONDecodeError:
            bad.append(Problem(path.name, n, "not JSON (a corrupt line)"))
        except RunDirError as exc:
            bad.append(Problem(path.name, n, str(exc).removeprefix(": ")))
    return good, bad


def round_problems(
    rounds: Iterable[tuple[int, RoundRecord]],
    doc_ids: set[str] | None,
    mode: str,
    max_rounds: int,
    decision_check: DecisionCheck | None = None,
) -> list[Problem]:
    """What is wrong with each round, in file order (`doc_ids` None: the run's documents are
    not known, as in runs made before documents.json; their ids are then not checked)."""
    limit = round_limit(mode, max_rounds)
    seen: dict[tuple[str, int], int] = {}
    latest: dict[str, int] = {}
    accepted_at: dict[str, int] = {}
    counts: dict[str, RoundCount] = {}
    out: list[Problem] = []
    for n, r in rounds:
        what = None
        count = counts.get(r.doc_id, RoundCount())
        if doc_ids is not None and r.doc_id not in doc_ids:
            what = f"doc_id {r.doc_id!r} is not one of the run's documents"
        elif (r.doc_id, r.round) in seen:
            what = (
                f"round {r.round} of {r.doc_id!r} again (first at line {seen[r.doc_id, r.round]})"
            )
        elif r.round > 2 * limit:
            # Error rounds do not count against max_rounds (see RoundCount): a round number
            # can pass max_rounds, never twice it.
            what = f"round {r.round} of {r.doc_id!r} is past max_rounds {limit} (and as many error rounds)"
        elif r.doc_id in accepted_at:
            what = f"round {r.round} of {r.doc_id!r} after its accepted round (line {accepted_at[r.doc_id]})"
        elif count.done(limit):
            what = f"round {r.round} of {r.doc_id!r} is {count.why_done(limit)}"
        elif r.round <= latest.get(r.doc_id, 0):
            what = f"round {r.round} of {r.doc_id!r} after its round {latest[r.doc_id]}"
        else:
            what = score_problem(r) or (decision_check(r) if decision_check else None)
        if what is not None:
            out.append(Problem("rounds.jsonl", n, what))
            continue
        seen[r.doc_id, r.round] = n
        latest[r.doc_id] = r.round
        count.add(r.decision)
        counts[r.doc_id] = count
        if r.decision == "accepted":
            accepted_at[r.doc_id] = n
    return out


def score_problem(r: RoundRecord) -> str | None:
    """A round's scores must be its rollouts' scores (when it stores rollouts), its means those
    of its scores."""
    for side, scores, rollouts in (
        ("weak", r.weak_scores, r.weak_rollouts),
        ("strong", r.strong_scores, r.strong_rollouts),
    ):
        if r.decision != "error" and rollouts and [a.score for a in rollouts] != (scores or []):
            return f"{side}_scores {scores} are not its {side} rollouts' scores"
        if any(a.side != side for a in rollouts):
            return f"a rollout in {side}_rollouts is not a {side} rollout"
    return None


def example_problems(
    rounds: Iterable[RoundRecord],
    examples: Iterable[tuple[int, Example]],
    mode: str,
    missing_ok: bool = False,
) -> list[Problem]:
    """accepted.jsonl against the (good) rounds: every line is the example of one round that
    keeps one, once, and as that round has it; every such round has its line (unless
    `missing_ok`: a resume writes those that a stop left out)."""
    expected = {e.id: e for r in rounds if (e := to_example(r, mode)) is not None}
    seen: dict[str, int] = {}
    out: list[Problem] = []
    for n, e in examples:
        if e.id in seen:
            out.append(
                Problem("accepted.jsonl", n, f"example {e.id!r} again (first at line {seen[e.id]})")
            )
            continue
        want = expected.get(e.id)
        if want is None:
            out.append(
                Problem(
                    "accepted.jsonl",
                    n,
                    f"example {e.id!r} has no round in rounds.jsonl that keeps it",
                )
            )
            continue
        differs = [f for f in EXAMPLE_FIELDS if getattr(e, f) != getattr(want, f)]
        if differs:
            out.append(
                Problem(
                    "accepted.jsonl",
                    n,
                    f"example {e.id!r} differs from its round in {', '.join(differs)}",
                )
            )
            continue
        seen[e.id] = n
    if not missing_ok:
        for missing in [i for i in expected if i not in seen]:
            out.append(
                Problem(
                    "accepted.jsonl", None, f"example {missing!r} of an accepted round is missing"
                )
            )
    return out


def count_problems(rounds: Iterable[tuple[int, RoundRecord]], count: int) -> list[Problem]:
    """For a run without documents.json: its rounds may name at most `count` documents (the
    ids themselves cannot be checked)."""
    ids: set[str] = set()
    for n, r in rounds:
        ids.add(r.doc_id)
        if len(ids) > count:
            what = (
                f"doc_id {r.doc_id!r} makes {len(ids)} documents; the run has {count} "
                "(a run without documents.json: ids are checked by number only)"
            )
            return [Problem("rounds.jsonl", n, what)]
    return []
