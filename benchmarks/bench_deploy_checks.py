"""What the checks before a deploy cost: `sparkleform create` of a 500-resource template as a
whole process, with the checks and with `--no-check`, runs alternating, fresh state each.

    env -u PYTHONDONTWRITEBYTECODE python benchmarks/bench_deploy_checks.py --runs 10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_engine import template


def one(folder: Path, name: str, checks: bool) -> tuple[float, float]:
    """-> (wall seconds, CPU seconds of the process)."""
    state = folder / f"{name}.db"
    args = [sys.executable, "-m", "sparkleform.cli.main", "--state", str(state), "create", name, "t.json"]
    if not checks:
        args.append("--no-check")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=folder, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--resources", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "t.json").write_text(json.dumps(template(args.resources), indent=1))
        one(folder, "warm", True)  # bytecode and file caches
        times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for i in range(args.runs):
            for checks in ((True, False) if i % 2 == 0 else (False, True)):
                times[checks].append(one(folder, f"s{i}{int(checks)}", checks))
    print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} runs each")
    for kind, index in (("wall", 0), ("cpu", 1)):
        med = {c: statistics.median(t[index] for t in times[c]) for c in times}
        low = {c: min(t[index] for t in times[c]) for c in times}
        for checks, label in ((False, "create --no-check"), (True, "create (checks)")):
            print(f"{kind:4} {label:18} median {med[checks]:.3f} s  min {low[checks]:.3f} s")
        print(f"{kind:4} checks add {1000 * (med[True] - med[False]):.0f} ms (median), "
              f"{1000 * (low[True] - low[False]):.0f} ms (min)")


if __name__ == "__main__":
    main()
