"""Fuzz every verb that reads input through the real CLI entry point: whatever the bytes, the
exit code is 0, 1 or 2 and nothing but our own messages reach stderr (no traceback).

CI runs a bounded number of examples per verb (SPARKLEFORM_FUZZ_EXAMPLES, default 12); a
developer's long run: `SPARKLEFORM_FUZZ_EXAMPLES=5000 pytest tests/reliability/test_fuzz_cli.py`.
With SPARKLEFORM_FUZZ_REPORT=file.json the run writes its figures (examples, slowest, peak
memory) there; tests/reliability/fuzz_report.py tables them for docs/security.md.
The long run with each input's time and memory measured alone is fuzz_long.py (a process
per input, forked from a warm parent).
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest
from cli_runner import run_cli
from fuzz_inputs import configs, parameters_files, policies, templates
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SPARKLEFORM_FUZZ_EXAMPLES", "12"))
REPORT = os.environ.get("SPARKLEFORM_FUZZ_REPORT")
QUEUE = b"Parameters:\n  A:\n    Type: String\n    Default: x\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 50, database=None,
                suppress_health_check=list(HealthCheck))
STATS: dict[str, dict] = {}

# verb -> (argv with {in} for the fuzzed file, which strategy, stdin instead of a file)
VERBS = {
    "validate": (["validate", "{in}"], templates),
    "compile": (["compile", "{in}", "--no-check"], templates),
    "graph": (["graph", "{in}"], templates),
    "convert": (["convert", "{in}"], templates),
    "convert-stdin": (["convert", "-"], templates),
    "import": (["import", "{in}"], templates),
    "create": (["create", "s", "{in}", "--state", "{dir}/state.db"], templates),
    "plan": (["plan", "s", "{in}", "--state", "{dir}/state.db"], templates),
    "plan-parameters": (["plan", "s", "{dir}/q.yaml", "--parameters-file", "{in}", "--state", "{dir}/state.db"],
                        parameters_files),
    "iam-policy": (["iam", "simulate", "--action", "s3:GetObject", "--policy", "{in}"], policies),
    "iam-template": (["iam", "simulate", "{in}", "--action", "s3:GetObject"], templates),
    "config": (["--config", "{in}", "up", "--yes", "--state", "{dir}/state.db"], configs),
}


def _record(verb: str, seconds: float) -> None:
    entry = STATS.setdefault(verb, {"examples": 0, "slowest_s": 0.0, "over_10s": 0})
    entry["examples"] += 1
    entry["slowest_s"] = max(entry["slowest_s"], round(seconds, 3))
    entry["over_10s"] += seconds > 10
    if entry["examples"] % 500 == 0:
        _write_report()


def _write_report() -> None:
    """The figures so far (after every verb, so a time-bounded run that is cut off keeps them)."""
    if REPORT:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        Path(REPORT).write_text(json.dumps({"verbs": STATS, "peak_rss_mb": round(peak_mb, 1)}, indent=2))


@pytest.mark.parametrize("verb", VERBS)
def test_no_traceback_whatever_the_input(verb, tmp_path_factory):
    argv, strategy = VERBS[verb]
    folder = tmp_path_factory.mktemp(verb)
    (folder / "q.yaml").write_bytes(QUEUE)
    name = {"config": "sparkleform.toml", "plan-parameters": "p.json", "iam-policy": "policy.json"}.get(verb, "t.json")

    @FUZZ
    @given(data=strategy, suffix=st.sampled_from([".json", ".yaml"]))
    def run(data: bytes, suffix: str) -> None:
        target = folder / (name if verb in ("config",) else Path(name).stem + suffix)
        target.write_bytes(data)
        (folder / "state.db").unlink(missing_ok=True)
        args = [a.replace("{in}", str(target)).replace("{dir}", str(folder)) for a in argv]
        started = time.monotonic()
        result = run_cli(*args, stdin=data if verb.endswith("stdin") else b"", cwd=folder)
        _record(verb, time.monotonic() - started)
        assert result.code in (0, 1, 2), (result.code, result.stderr[-2000:])
        assert "Traceback" not in result.stderr, result.stderr[-3000:]

    try:
        run()
    except BaseException as exc:
        STATS.setdefault(verb, {"examples": 0, "slowest_s": 0.0, "over_10s": 0})["failure"] = str(exc)[:2000]
        raise
    finally:
        _write_report()
