"""Ctrl-C during an operation: real SIGINTs sent to a subprocess running watch_interrupts."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, signal, sys
from sparkleform.stacks.interrupts import watch_interrupts
from sparkleform.errors import SparkleformError
in_process = sys.argv[1] == "local"
presses = int(sys.argv[2])
try:
    with watch_interrupts("app", in_process=in_process, operation="create"):
        for _ in range(presses):
            os.kill(os.getpid(), signal.SIGINT)
        print("operation finished")
except SparkleformError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(exc.exit_code)
"""


def run(kind: str, presses: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, kind, str(presses)],
                          capture_output=True, text=True, timeout=30)


def test_local_engine_finishes_on_first_ctrl_c():
    proc = run("local", 1)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "operation finished"
    assert "press Ctrl-C again to cut it off" in proc.stderr


def test_local_engine_second_ctrl_c_cuts_off_and_says_how_to_recover():
    proc = run("local", 2)
    assert proc.returncode == 130
    assert "operation finished" not in proc.stdout
    assert "create of stack app was cut off" in proc.stderr
    assert "sparkleform recover app" in proc.stderr


def test_remote_ctrl_c_stops_waiting_and_says_how_to_follow():
    proc = run("aws", 1)
    assert proc.returncode == 130
    assert "stopped waiting; the create of stack app goes on" in proc.stderr
    assert "sparkleform events app --follow" in proc.stderr
