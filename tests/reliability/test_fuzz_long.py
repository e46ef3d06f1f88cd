"""The long fuzz runner (fuzz_long.py), checked in CI on a few inputs: a short generated
run covers every verb with no finding, and the runner does see a traceback, an odd exit
code, a hang and a memory blow-up when an input causes one (templates written to do so).

The long run itself is a developer's command (docs/security.md, "Fuzzing"):
`python tests/reliability/fuzz_long.py --examples 50000 --report fuzz.json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fuzz_long import VERBS, classify
from reliability_cli import cli_env

RUNNER = Path(__file__).with_name("fuzz_long.py")


def _run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, str(RUNNER), *args, "--report", str(report), "--findings",
                           str(tmp_path / "findings")], env=cli_env(), capture_output=True, text=True, timeout=300)
    return proc, json.loads(report.read_text())


def test_classify():
    assert classify("error: bad input\n", "2", 0.3, 60.0) == []
    assert classify("Traceback (most recent call last):\n", "1", 0.3, 60.0) == ["traceback"]
    assert classify("", "3", 0.3, 60.0) == ["exit"]
    assert classify("", "signal 14", 30.0, 60.0) == ["hang"]  # SIGALRM: killed at --kill-after
    assert classify("", "0", 10.5, 60.0) == ["hang"]
    assert classify("MemoryError\n", "1", 1.0, 80.0) == ["traceback", "memory"]
    assert classify("", "0", 1.0, 501.0) == ["memory"]


def test_a_short_run_covers_every_verb_with_no_finding(tmp_path):
    proc, report = _run(tmp_path, "--examples", str(len(VERBS)), "--batch", "1", "--jobs", "2", "--seed", "1")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert report["finished"] and report["inputs"] == len(VERBS)
    assert set(report["verbs"]) == set(VERBS)
    assert report["findings"] == []
    for figures in report["verbs"].values():
        assert figures["peak_mb"] > 10 and figures["slowest_s"] > 0  # measured per input


BAD = {  # a Python template that misbehaves, and what the runner must call it
    "traceback": ("import sys", "sys.stderr.write('Traceback (most recent call last):\\n')"),
    "exit": ("import os", "os._exit(7)"),
    "hang": ("import time", "time.sleep(2)"),
    "memory": ("", "t.description = str(len(b'x' * (560 * 1024 * 1024)))"),
}


def test_the_runner_sees_each_kind_of_finding(tmp_path):
    inputs = []
    for kind, (head, stmt) in BAD.items():
        path = tmp_path / f"{kind}.py"
        path.write_text(f"{head}\nfrom sparkleform import template\n\n\n@template\ndef fuzzed(t):\n"
                        f"    t.resources.q.type = 'AWS::SQS::Queue'\n    {stmt}\n")
        inputs += ["--input", str(path)]
    proc, report = _run(tmp_path, *inputs, "--verbs", "compile-py", "--hang-s", "1", "--jobs", "2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    figures = report["verbs"]["compile-py"]
    assert figures["inputs"] == len(BAD)
    assert (figures["tracebacks"], figures["bad_exits"], figures["hangs"], figures["memory"]) == (1, 1, 1, 1), figures
    assert figures["peak_mb"] > 500
    assert sorted(k for f in report["findings"] for k in f["kinds"]) == sorted(BAD)
    for finding in report["findings"]:  # each kept for --replay
        assert (Path(finding["folder"]) / "fuzzed.py").is_file()
