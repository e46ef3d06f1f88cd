"""The fuzz suite runs the CLI in-process; this smoke set runs a few of the worst inputs as real
processes, as a user does (the entry point, stderr encoding, exit codes as the shell sees them)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CASES = {
    "binary template": (["validate", "t.json"], b"\xff\xfe\x00\xd8\x00\x01"),
    "deep template": (["compile", "t.json"], b'{"Resources":' + b"[" * 3000 + b"]" * 3000 + b"}"),
    "surrogate key": (["graph", "t.json"], b'{"Resources":{"Q\\udfff":{"Type":"AWS::SQS::Queue"}}}'),
    "huge number": (["import", "t.json"], b'{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"A":'
                    + b"9" * 5000 + b"}}}}"),
    "binary stdin": (["convert", "-"], None),
    "template exits": (["compile", "t.py"], b"import sys\nimport sparkleform as sf\n@sf.template\ndef t(t):\n    sys.exit(4)\n"),
}


@pytest.mark.parametrize("case", CASES)
def test_worst_inputs_as_a_process(tmp_path, case):
    args, data = CASES[case]
    name = "t.py" if "t.py" in args else "t.json"
    if data is not None:
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "sparkleform.cli.main", *args],
        cwd=tmp_path, capture_output=True, timeout=60,
        input=b"\xff\xfe\x00\xd8garbage" if data is None else b"",
        env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "ascii"},
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert 1 <= len(stderr.strip().splitlines()) <= 2, stderr
