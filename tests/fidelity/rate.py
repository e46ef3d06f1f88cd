"""Print the fidelity suite's match rate per group (and overall): how many of the checks
recorded from AWS the local engine reproduces.

    PYTHONPATH=src python tests/fidelity/rate.py [--failures]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from runner import checks_of, compare, load_cases, run_case


def main() -> int:
    show = "--failures" in sys.argv
    total, matched = Counter(), Counter()
    for name, case in load_cases().items():
        actual = run_case(case)
        for check_id, kind, key in checks_of(name, case):
            ok, want, got = compare(case, actual, kind, key)
            total[case["group"]] += 1
            matched[case["group"]] += ok
            if show and not ok:
                print(f"MISMATCH {check_id}\n  aws:   {want}\n  local: {got}")
    print(f"{'group':<20} {'checks':>6} {'match':>6} {'rate':>7}")
    for group in sorted(total):
        print(f"{group:<20} {total[group]:>6} {matched[group]:>6} {matched[group] / total[group]:>7.1%}")
    t, m = sum(total.values()), sum(matched.values())
    print(f"{'all':<20} {t:>6} {m:>6} {m / t:>7.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
