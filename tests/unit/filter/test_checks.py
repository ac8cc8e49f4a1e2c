"""The final filter's free checks on planted examples: leaky, short, malformed, clean."""

from __future__ import annotations

import pytest

from workbench.config import Filter, RunConfig
from workbench.filter import check_example, longest_shared_run, measure_leak, words
from workbench.records import Example

CONTEXT = (
    "The committee met in the spring to review the water budget of the valley. Three "
    "reservoirs supply the towns; the upper one fills from snowmelt, the lower two from rain. "
    "Engineers argued about releasing water early, before the irrigation season, because "
    "evaporation losses grow with the surface area of a full reservoir in summer heat."
)
QUESTION = "Why might releasing water from the upper reservoir early reduce total losses?"
REFERENCE = (
    "Evaporation scales with exposed surface area, so moving water downstream while it is cool "
    "keeps less of it spread across a wide, warm surface during the hottest months."
)
RUBRIC = [
    {"criterion": "Names evaporation as the loss mechanism.", "weight": 5},
    {"criterion": "Links losses to the reservoir's surface area.", "weight": 4},
    {"criterion": "Mentions the timing relative to summer heat.", "weight": 3},
]


def example(**changes) -> Example:
    fields = {
        "id": "doc#r2",
        "doc_id": "doc",
        "round": 2,
        "context": CONTEXT,
        "question": QUESTION,
        "reference_answer": REFERENCE,
        "question_type": "causal",
        "rubric": RUBRIC,
        "label": "Because of evaporation.",
        "weak_scores": [0.1, 0.2, 0.0],
        "strong_scores": [0.9, 0.8, 1.0],
        "weak_mean": 0.1,
        "strong_mean": 0.9,
        "gap": 0.8,
        "p_value": None,
        "ts": 1.0,
    }
    return Example.model_validate(fields | changes)


def kinds(record) -> list[str]:
    return [r.split(":", 1)[0] for r in record.reasons]


def test_a_clean_example_is_retained():
    record = check_example(example(), RunConfig())
    assert record.retained and record.reasons == [] and not record.verified
    assert record.checks.context_chars == len(CONTEXT)
    assert record.checks.longest_shared_words < 4
    assert record.checks.reference_share is not None and record.checks.reference_share < 0.5


def test_the_reference_copied_into_the_context_leaks():
    record = check_example(example(context=CONTEXT + " " + REFERENCE), RunConfig())
    assert not record.retained
    assert kinds(record) == ["reference_leak", "reference_leak"]  # the run and the share
    assert record.checks.longest_shared_words == len(words(REFERENCE))
    assert record.checks.reference_share == 1.0


def test_a_run_the_question_already_shows_is_not_a_leak():
    # A reference that restates the question (which quotes the context) leaks nothing new.
    quoted = "engineers argued about releasing water early before the irrigation season"
    ex = example(
        question=f'The context says "{quoted}". Why?',
        reference_answer=f"Because {quoted}: evaporation grows with the surface area.",
    )
    leak = measure_leak(ex.context, ex.question, ex.reference_answer, Filter())
    assert leak.longest_shared_words < len(quoted.split())
    assert longest_shared_run(words(ex.reference_answer), words(ex.context)) >= 10


def test_the_leak_thresholds_are_settings():
    leaky = example(context=CONTEXT + " " + REFERENCE)
    lenient = RunConfig(filter={"leak_ngram": 1000, "leak_share": 1.0, "leak_min_words": 1000})
    assert check_example(leaky, lenient).retained
    strict = RunConfig(filter={"leak_ngram": 3})
    half = " ".join(REFERENCE.split()[:4])  # four words of the reference: a 4-word run
    assert kinds(check_example(example(context=CONTEXT + " " + half), strict)) == ["reference_leak"]


def test_a_short_reference_is_not_judged_by_share():
    ex = example(reference_answer="Evaporation.", question="What loss grows with surface area?")
    leak = measure_leak(ex.context, ex.question, ex.reference_answer, Filter())
    assert leak.distinctive_words == 1 and leak.reference_share is None
    assert check_example(ex, RunConfig()).retained


@pytest.mark.parametrize(
    ("context", "what"),
    [
        ("Three reservoirs supply the towns.", "characters"),
        ("", "characters"),
        ("x" * 250, "words"),  # long enough in characters, one word
    ],
)
def test_a_short_context_is_dropped(context, what):
    record = check_example(example(context=context), RunConfig())
    assert kinds(record) == ["short_context"] and what in record.reasons[0]


@pytest.mark.parametrize(
    ("rubric", "says"),
    [
        (RUBRIC + [dict(RUBRIC[0])], "criteria 1 and 4 are the same"),
        (
            RUBRIC + [{"criterion": "  NAMES evaporation as the loss   mechanism. ", "weight": 2}],
            "criteria 1 and 4 are the same",
        ),
        ([RUBRIC[0] | {"weight": 9}, *RUBRIC[1:]], "criterion 1 has weight 9"),
        ([RUBRIC[0] | {"weight": 0}, *RUBRIC[1:]], "criterion 1 has weight 0"),
        ([RUBRIC[0]], "the rubric has 1 criteria"),
        ([c | {"weight": -c["weight"]} for c in RUBRIC], "no criterion has a positive weight"),
    ],
)
def test_a_malformed_rubric_is_dropped(rubric, says):
    record = check_example(example(rubric=rubric), RunConfig())
    assert not record.retained and set(kinds(record)) == {"malformed_rubric"}
    assert any(says in r for r in record.reasons), record.reasons
    assert any(says in p for p in record.checks.rubric_problems)


def test_the_run_s_rubric_rules_decide():
    # Three criteria are fine by default; a run that required four rejects them.
    assert check_example(example(), RunConfig()).retained
    strict = RunConfig(rubric={"min_criteria": 4})
    assert "the rubric has 3 criteria" in check_example(example(), strict).reasons[0]


def test_every_failed_check_is_listed():
    record = check_example(example(context="Short.", rubric=[RUBRIC[0], RUBRIC[0]]), RunConfig())
    assert kinds(record) == ["short_context", "malformed_rubric"]


def test_the_dry_run_bound_counts_the_final_filter():
    from workbench.engines import prepare
    from workbench.loop import upper_bound

    config, documents, prompts, _ = prepare(None, None, probe_endpoints=False)
    plain = upper_bound(config, documents, prompts)
    filtered = config.model_copy(update={"final_filter": True})
    bound = upper_bound(filtered, documents, prompts)
    # One re-verification per document (each keeps at most one example), re-ask included.
    assert bound.by_role["verifier"]["calls"] == plain.by_role["verifier"]["calls"] + 2 * len(
        documents
    )
    off = filtered.model_copy(
        update={"filter": filtered.filter.model_copy(update={"verify": False})}
    )
    assert upper_bound(off, documents, prompts).calls == plain.calls
