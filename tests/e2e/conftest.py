"""End-to-end helpers: run the real `sparkleform` CLI in a subprocess with state in a tmp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@dataclass
class Cli:
    cwd: Path
    state: Path

    def run(self, *args: str, check: int | None = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Run `sparkleform --state STATE ARGS` with no terminal (stdin from /dev/null)."""
        full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        full_env.pop("SPARKLEFORM_STATE", None)
        full_env.pop("SPARKLEFORM_PROVIDER", None)
        proc = subprocess.run(
            [sys.executable, "-m", "sparkleform.cli.main", "--state", str(self.state), *args],
            cwd=self.cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60, env=full_env,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"exit {proc.returncode} != {check} for {args}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args, "--output", "json").stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    return Cli(cwd=tmp_path, state=tmp_path / "state" / "state.db")


@pytest.fixture
def data() -> Path:
    return DATA
