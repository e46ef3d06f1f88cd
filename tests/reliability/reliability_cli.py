"""Running the real CLI in a child process, as a user would, for the reliability tests
(the `cli` fixture is registered by conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1", "SPARKLEFORM_PROVIDER": "local"}


class Cli:
    """`sparkleform` run in `cwd` with a state file of its own."""

    def __init__(self, cwd: Path, state: Path) -> None:
        self.cwd = cwd
        self.state = state

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "sparkleform.cli.main", "--state", str(self.state), *args]

    def __call__(self, *args: str, input: str | None = None, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.argv(*args), cwd=self.cwd, env=cli_env(), capture_output=True, text=True, input=input, timeout=120, **kw
        )

    def status(self, stack: str) -> str | None:
        """The stack's status as list-stacks gives it (None when it is not listed)."""
        out = self("list-stacks", "--output", "json")
        assert out.returncode == 0, out.stderr
        for s in json.loads(out.stdout):
            if s.get("StackName") == stack:
                return s["StackStatus"]
        return None


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, tmp_path / "state" / "state.db")


def write_template(path: Path, template: dict) -> str:
    path.write_text(json.dumps(template))
    return str(path)


def assert_clean_error(proc: subprocess.CompletedProcess, code: int) -> None:
    """Exit `code` with a message and no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert proc.stderr.strip(), "an error says something on stderr"
