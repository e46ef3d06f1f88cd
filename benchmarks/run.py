"""Run every area's benchmark, one after the other, and print their reports.

    python benchmarks/run.py [AREA ...]      # areas: dsl startup formats validate engine stacks aws iam

Each `bench_<area>.py` compares sparkleform with its peer side by side in one run and
prints ratios; this runner only sequences them (so they do not compete for the CPU) and
reports the machine's load, since wall-time ratios move with it. The peers come from the
`bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AREAS = ["dsl", "startup", "formats", "validate", "engine", "stacks", "aws", "iam"]


def main(argv: list[str]) -> int:
    areas = argv or AREAS
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        print(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}", file=sys.stderr)
        return 2
    failed = []
    for area in areas:
        print(f"\n=== {area}  (load average {os.getloadavg()[0]:.1f})", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / f"bench_{area}.py")], check=False)
        print(f"--- {area}: {time.perf_counter() - start:.1f} s", flush=True)
        if proc.returncode:
            failed.append(area)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
