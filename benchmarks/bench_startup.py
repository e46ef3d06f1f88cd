"""Start-up: `sparkleform --help` as a whole process, side by side with its peers' `--help`.

    python benchmarks/bench_startup.py [--repeat 15]

Each command runs as a user runs it, one process at a time, the sides alternating round by
round after one untimed run each (bytecode cached, as for an installed tool:
PYTHONDONTWRITEBYTECODE is removed). Reported per command: the best and the median wall
time, and the best CPU time of the child (user + system, from wait4), which moves less with
the machine's load; the load average is printed with the figures. The goal (issue #18):
`sparkleform --help` under 150 ms. Peers: cfn-lint and cfn-flip (the `bench` extra), run
through their console scripts with the same interpreter; `python -c pass` is the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 150.0


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} exited with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def commands() -> dict[str, list[str]]:
    py = sys.executable
    scripts = Path(py).parent
    found = {
        "python -c pass": [py, "-c", "pass"],
        "sparkleform --help": [py, "-m", "sparkleform.cli.main", "--help"],
    }
    for label, script in (("cfn-lint --help", "cfn-lint"), ("cfn-flip --help", "cfn-flip")):
        path = scripts / script
        if path.exists():
            found[label] = [py, str(path), "--help"]
        else:
            print(f"({script} is not installed: pip install -e '.[bench]')")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cases = commands()
    for cmd in cases.values():
        run_once(cmd, env)  # bytecode written, files in the page cache
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in cases}
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        for label, cmd in cases.items():
            runs[label].append(run_once(cmd, env))
    load_after = os.getloadavg()
    print(f"whole processes, {args.repeat} rounds, sides alternating; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(f"{'command':<22}{'best wall':>11}{'median wall':>13}{'best CPU':>10}{'vs ours (CPU)':>15}")
    ours_cpu = min(r[1] for r in runs["sparkleform --help"])
    for label, found in runs.items():
        walls = [r[0] for r in found]
        cpu = min(r[1] for r in found)
        ratio = "" if label in ("sparkleform --help", "python -c pass") else f"{cpu / ours_cpu:.1f}x"
        print(f"{label:<22}{min(walls) * 1000:>8.0f} ms{statistics.median(walls) * 1000:>10.0f} ms"
              f"{cpu * 1000:>7.0f} ms{ratio:>15}")
    ours = [r[0] * 1000 for r in runs["sparkleform --help"]]
    for what, ms in (("best", min(ours)), ("median", statistics.median(ours))):
        print(f"goal: sparkleform --help under {GOAL_MS:.0f} ms wall, {what} of {args.repeat}: "
              f"{ms:.0f} ms, {'met' if ms < GOAL_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
