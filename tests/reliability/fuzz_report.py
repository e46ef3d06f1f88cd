"""Table the figures of long fuzz runs for docs/security.md.

Run: python tests/reliability/fuzz_report.py fuzzA.json [fuzzB.json ...]
(each written by SPARKLEFORM_FUZZ_REPORT=... pytest tests/reliability/test_fuzz_cli.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(paths: list[str]) -> None:
    rows, total, failures, hangs, peak = [], 0, 0, 0, 0.0
    for path in paths:
        report = json.loads(Path(path).read_text())
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


if __name__ == "__main__":
    main(sys.argv[1:])
