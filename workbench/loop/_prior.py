"""The dry run's prior: rates measured on the bundled default run (the eight bundled documents
on the simulator, seed 0, default config), used for `expected` when no `--pilot RUN_DIR` is
given. Re-measure with `loop.measure` over a fresh default run when the loop changes (a test
checks these still match the default run within 25 %).

The simulator is not your model: its acceptance rate, reply lengths and (zero) cache share are
a starting point, said to be a prior wherever they are shown."""

from __future__ import annotations

from workbench.loop._expected import Pilot, Usage

PRIOR = Pilot(
    source="the bundled default run on the simulator (8 documents, 67 rounds, 6 accepted)",
    documents=8,
    rounds=67,
    accepted=6,
    usage={
        "challenger": Usage(1.075, 1516.0, 314.0),
        "verifier": Usage(1.045, 627.0, 48.0),
        "weak": Usage(2.045, 269.0, 63.5),
        "judge:weak": Usage(2.194, 548.0, 70.1),
        "strong": Usage(0.910, 302.0, 64.6),
        "judge:strong": Usage(0.970, 595.0, 79.8),
    },
    rollouts={"weak": 3, "strong": 3},
    judges=1,
    judge_mode="per_answer",
    criteria=4.17,
    feedback_tokens_per_round=113.7,
    hazards=(0.0, 0.0, 0.0, 0.0, 0.0, 0.125, 0.0, 0.5714, 0.3333, 0.0),
    prior=True,
)
