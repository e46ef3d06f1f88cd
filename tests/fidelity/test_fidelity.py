"""The conformance suite recorded from AWS: every check of every case in cases/ (derived from
LocalStack's AWS-recorded snapshots, see build_cases.py), run against the local engine through
the LocalProvider. A check the engine is known not to reproduce is an xfail with its reason
(known.py)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from known import KNOWN
from runner import checks_of, compare, load_cases, run_case

CASES = load_cases()
CHECKS = [(name, check_id, kind, key) for name, case in CASES.items() for check_id, kind, key in checks_of(name, case)]


@functools.cache
def outcome(name: str) -> dict:
    return run_case(CASES[name])


def test_enough_cases_from_every_source():
    assert len(CASES) >= 200  # the floor (#13)
    for case in CASES.values():
        assert case["source"]["repository"] == "localstack/localstack"
        assert "::" in case["source"]["test"] and case["source"]["snapshot"].endswith("]")


@pytest.mark.parametrize(("name", "check_id", "kind", "key"), CHECKS, ids=[c[1] for c in CHECKS])
def test_check(name, check_id, kind, key):
    if check_id in KNOWN:
        pytest.xfail(KNOWN[check_id])
    ok, want, got = compare(CASES[name], outcome(name), kind, key)
    assert ok, f"{check_id}: AWS recorded {want!r}, the local engine gives {got!r} ({CASES[name]['source']['test']})"
