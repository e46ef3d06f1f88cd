"""Missing required parameters: asked on a real terminal (pty), refused without one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from ptywait import readable

TEMPLATE = {
    "Parameters": {
        "Password": {"Type": "String", "NoEcho": True, "Description": "database password"},
        "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Description": "environment"},
        "Size": {"Type": "Number", "Default": "2"},
    }
}

SCRIPT = """
import json, sys
from sparkleform.stacks.parameters import ParameterInputs, resolve_parameters
from sparkleform.stacks.prompting import fill_missing
from sparkleform.errors import SparkleformError
template = json.loads(sys.argv[1])
res = resolve_parameters(template, ParameterInputs())
try:
    fill_missing(template, res, stack="db")
except SparkleformError as exc:
    sys.stderr.write(str(exc) + "\\n")
    sys.exit(exc.exit_code)
with open(sys.argv[2], "w") as fh:
    json.dump(res.values, fh)
"""


def _read_until(fd: int, needle: bytes, buf: bytearray, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"did not see {needle!r} in {bytes(buf)!r}")
        ready = readable(fd, left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf.extend(chunk)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_prompts_on_a_terminal_hide_no_echo_and_offer_allowed_values(tmp_path):
    out = tmp_path / "values.json"
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, json.dumps(TEMPLATE), str(out)],
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )
    os.close(slave)
    buf = bytearray()
    try:
        _read_until(master, b"Password:", buf)
        assert b"database password" in buf
        os.write(master, b"s3cret-value\n")
        _read_until(master, b"Env:", buf)
        assert b"allowed: dev, prod" in buf
        os.write(master, b"staging\n")  # not allowed: asked again
        _read_until(master, b"is not one of", buf)
        os.write(master, b"prod\n")
        assert proc.wait(timeout=10) == 0
        _read_until(master, b"", buf, timeout=0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"s3cret-value" not in buf  # NoEcho input is never echoed
    assert json.loads(out.read_text()) == {"Password": "s3cret-value", "Env": "prod"}


def test_without_a_terminal_missing_parameters_are_an_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(TEMPLATE), str(tmp_path / "v.json")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 2
    assert "stack db: no value for required parameter(s) Password (database password); Env (environment)" in proc.stderr
    assert "-p Key=Value" in proc.stderr
    assert not (tmp_path / "v.json").exists()
