"""A round's panel agreement from its rollouts, and rounds.jsonl lines with and without it."""

from workbench.config import JudgePanel
from workbench.loop._agreement import round_agreement
from workbench.records import Rollout, RoundRecord


def _rollout(side, i, *members):
    panel = [{"judge": f"j{k}", "met": m} for k, m in enumerate(members)]
    return Rollout(side=side, rollout=i, answer="a", met=[0, 0], raw_score=0, score=0, panel=panel)


def test_agreement_per_criterion_and_low_flags():
    rollouts = [
        _rollout("weak", 0, [0.0, 1.0], [0.0, 1.0], [1.0, 1.0]),
        _rollout("weak", 1, [0.0, 1.0], [0.0, 1.0], [1.0, 1.0]),
        _rollout("strong", 0, [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]),
        _rollout("strong", 1, [1.0, 1.0], None, [1.0, 1.0]),
    ]
    first, second = round_agreement(rollouts, 2, JudgePanel())
    # Criterion 1: met counts 1/3, 1/3, 3/3, 2/2 -> P = (1/3 + 1/3 + 1 + 1) / 4 = 2/3;
    # met 7 of 11 -> Pe = (49 + 16) / 121; kappa = (2/3 - 65/121) / (56/121) = 47/168.
    assert first.criterion == 1 and first.answers == 4
    assert abs(first.agreement - 2 / 3) < 1e-6 and abs(first.kappa - 47 / 168) < 1e-6
    assert first.low
    # Criterion 2: every member met every answer: complete agreement, kappa undefined.
    assert (second.agreement, second.kappa, second.low) == (1.0, None, False)


def test_a_single_judge_round_has_no_agreement():
    plain = Rollout(side="weak", rollout=0, answer="a", met=[1], raw_score=1, score=1)
    assert round_agreement([plain], 1, JudgePanel()) == []


def test_rounds_written_before_panels_read_fine():
    old = {
        "format_version": 1,
        "doc_id": "d",
        "round": 1,
        "mode": "agentic",
        "task": None,
        "quality": None,
        "weak_scores": [0.0],
        "strong_scores": None,
        "weak_mean": 0.0,
        "strong_mean": None,
        "gap": None,
        "p_value": None,
        "decision": "too_hard",
        "reason": "r",
        "feedback": "f",
        "weak_rollouts": [
            {"side": "weak", "rollout": 0, "answer": "a", "met": [0], "raw_score": 0, "score": 0}
        ],
        "ts": 1.0,
    }
    record = RoundRecord.model_validate(old)
    assert record.agreement == [] and record.low_agreement == []
    assert record.weak_rollouts[0].panel == []
