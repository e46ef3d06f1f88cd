"""Table the figures of long fuzz runs for docs/security.md.

Run: python tests/reliability/fuzz_report.py fuzz.json [more.json ...]
Each file is written by `fuzz_long.py --report` (one process per input: time and memory
per input) or by `SPARKLEFORM_FUZZ_REPORT=... pytest tests/reliability/test_fuzz_cli.py`
(in-process: examples and slowest only)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def long_table(reports: list[dict]) -> None:
    """fuzz_long.py reports: per verb, inputs, findings by kind, slowest, peak memory."""
    verbs: dict[str, dict] = {}
    for report in reports:
        for verb, f in report["verbs"].items():
            into = verbs.setdefault(verb, {"inputs": 0, "tracebacks": 0, "bad_exits": 0, "hangs": 0, "memory": 0,
                                           "slowest_s": 0.0, "slowest_cpu_s": 0.0, "peak_mb": 0.0})
            for key in ("inputs", "tracebacks", "bad_exits", "hangs", "memory"):
                into[key] += f[key]
            for key in ("slowest_s", "slowest_cpu_s", "peak_mb"):
                into[key] = max(into[key], f[key])
    print("| verb | inputs | tracebacks | other exit codes | over 10 s | over 500 MB | slowest (wall) "
          "| slowest (CPU) | peak memory |")
    print("|---|---|---|---|---|---|---|---|---|")
    total = {"inputs": 0, "tracebacks": 0, "bad_exits": 0, "hangs": 0, "memory": 0}
    for verb, f in verbs.items():
        print(f"| {verb} | {f['inputs']:,} | {f['tracebacks']} | {f['bad_exits']} | {f['hangs']} | {f['memory']} "
              f"| {f['slowest_s']:.1f} s | {f['slowest_cpu_s']:.2f} s | {f['peak_mb']:.0f} MB |")
        for key in total:
            total[key] += f[key]
    worst = max(verbs.values(), key=lambda f: f["slowest_s"], default=None)
    heaviest = max(verbs.values(), key=lambda f: f["peak_mb"], default=None)
    print(f"| **all** | **{total['inputs']:,}** | **{total['tracebacks']}** | **{total['bad_exits']}** "
          f"| **{total['hangs']}** | **{total['memory']}** | {worst['slowest_s'] if worst else 0:.1f} s "
          f"| {max((f['slowest_cpu_s'] for f in verbs.values()), default=0):.2f} s "
          f"| {heaviest['peak_mb'] if heaviest else 0:.0f} MB |")
    for report in reports:
        print(f"\n{report['inputs']:,} inputs in {report['elapsed_s'] / 60:.0f} min "
              f"({'finished' if report['finished'] else 'cut off'}); parent process {report['parent_rss_mb']:.0f} MB; "
              f"command: `{report['command']}`")
        for finding in report["findings"]:
            print(f"- {finding['verb']} {','.join(finding['kinds'])} exit {finding['code']} {finding['wall_s']} s "
                  f"{finding['peak_mb']} MB: {finding['last_line']}")


def pytest_table(reports: list[dict]) -> None:
    rows, total, failures, hangs, peak = [], 0, 0, 0, 0.0
    for report in reports:
        peak = max(peak, report["peak_rss_mb"])
        for verb, entry in report["verbs"].items():
            failed = 1 if "failure" in entry else 0
            rows.append(f"| {verb} | {entry['examples']:,} | {failed} | {entry['over_10s']} | {entry['slowest_s']:.1f} s |")
            total += entry["examples"]
            failures += failed
            hangs += entry["over_10s"]
    print("| verb | inputs tried | tracebacks | over 10 s | slowest |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"| **all** | **{total:,}** | **{failures}** | **{hangs}** | |")
    print(f"\nPeak memory of the fuzzing processes (all examples, whole pytest process): {peak:.0f} MB.")


def main(paths: list[str]) -> None:
    reports = [json.loads(Path(path).read_text()) for path in paths]
    long_runs = [r for r in reports if "findings" in r]
    if long_runs:
        long_table(long_runs)
    if len(long_runs) < len(reports):
        pytest_table([r for r in reports if "findings" not in r])


if __name__ == "__main__":
    main(sys.argv[1:])
