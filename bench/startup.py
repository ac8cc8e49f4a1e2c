"""Start-up cost: `workbench --help`, `import workbench`, and (for scale) `import litellm`.

    python bench/startup.py [--repeat 5]

Each in a fresh process, best of N wall times. Prints figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

CASES = {
    "workbench --help": [sys.executable, "-m", "workbench", "--help"],
    "import workbench": [sys.executable, "-c", "import workbench"],
    "import workbench.engines (no LiteLLM, pandas or plotly)": [
        sys.executable,
        "-c",
        "import sys, workbench.engines; "
        "assert not {'litellm', 'pandas', 'plotly'} & set(sys.modules), sorted(sys.modules)",
    ],
    "import litellm (offline mode)": [
        sys.executable,
        "-c",
        "import workbench.model.backends as b; b.get_litellm()",
    ],
}


def best_of(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, command in CASES.items():
        print(f"  {name:36s} {best_of(command, args.repeat):6.2f} s  (best of {args.repeat})")


if __name__ == "__main__":
    main()
