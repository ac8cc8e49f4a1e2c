"""The dry run's prior: rates measured on the bundled default run (the eight bundled documents
on the simulator, seed 0, default config), used for `expected` when no `--pilot RUN_DIR` is
given. Re-measure with `loop.measure` over a fresh default run when the loop changes (a test
checks these still match the default run within 25 %).

The simulator is not your model: its acceptance rate, reply lengths and (zero) cache share are
a starting point, said to be a prior wherever they are shown."""

from __future__ import annotations

from workbench.loop._expected import Pilot, Usage

PRIOR = Pilot(
    source="the bundled default run on the simulator (8 documents, 40 rounds, 7 accepted)",
    documents=8,
    rounds=40,
    accepted=7,
    usage={
        "challenger": Usage(1.1, 1339.0, 295.1),
        "verifier": Usage(1.0, 620.0, 48.2),
        "weak": Usage(1.975, 244.0, 66.4),
        "judge:weak": Usage(2.225, 545.0, 60.5),
        "strong": Usage(0.775, 251.0, 65.6),
        "judge:strong": Usage(0.825, 552.0, 71.3),
    },
    rollouts={"weak": 3, "strong": 3},
    judges=1,
    judge_mode="per_answer",
    criteria=3.74,
    feedback_tokens_per_round=117.9,
    hazards=(0.0, 0.0, 0.25, 0.6667, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0),
    prior=True,
)
