"""How fast the command line starts: CPU seconds and peak memory of quick commands.

Runs each command ``--repeat`` times under ``/usr/bin/time -v`` (GNU time) and prints the
median user + system CPU seconds and the median peak resident set, against the goals
(``--help`` and ``--version`` ≤ 0.3 s CPU and ≤ 80 MiB; ``validate`` of a sample ≤ 1 s CPU).

    python benchmarks/bench_cli.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS: list[tuple[list[str], float, float | None]] = [
    (["--help"], 0.3, 80.0),
    (["--version"], 0.3, 80.0),
    (["validate", "scenarios/porto-alegre.yaml"], 1.0, None),
    (["validate", "scenarios/tourist-peak.yaml"], 1.0, None),
    (["validate", "scenarios/surge.yaml"], 1.0, None),
]
"""(arguments, CPU-seconds goal, MiB goal or None)."""


def measure(arguments: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak resident MiB of one ``svcplan`` run."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "cli", *arguments]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    report = result.stderr

    def field(name: str) -> float:
        match = re.search(rf"{re.escape(name)}: ([0-9.]+)", report)
        if match is None:
            raise RuntimeError(f"no {name!r} in the output of /usr/bin/time")
        return float(match.group(1))

    cpu = field("User time (seconds)") + field("System time (seconds)")
    return cpu, field("Maximum resident set size (kbytes)") / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("/usr/bin/time") is None:
        print("GNU time (/usr/bin/time) is not installed: apt-get install time", file=sys.stderr)
        return 1
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| command | CPU s (median) | goal | peak MiB (median) | goal | met |")
    print("|---|---:|---:|---:|---:|---|")
    for arguments, cpu_goal, mib_goal in COMMANDS:
        runs = [measure(arguments) for _ in range(args.repeat)]
        cpu = statistics.median(run[0] for run in runs)
        mib = statistics.median(run[1] for run in runs)
        met = cpu <= cpu_goal and (mib_goal is None or mib <= mib_goal)
        mib_text = "—" if mib_goal is None else f"≤ {mib_goal:g}"
        print(
            f"| `svcplan {' '.join(arguments)}` | {cpu:.2f} | ≤ {cpu_goal:g} | {mib:.0f} | "
            f"{mib_text} | {'yes' if met else 'no'} |"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
