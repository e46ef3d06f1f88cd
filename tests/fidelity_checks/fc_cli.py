"""Running `sparkleform` as a user does (its entry point, in a subprocess or in-process) on small
templates written to a temp dir."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cli_inprocess


class Cli:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "state.db"

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """`sparkleform --state STATE ARGS`: a real subprocess for the first call of each verb
        in the session, the same entry point in-process after that (tests/cli_inprocess.py)."""
        return cli_inprocess.run(["--state", str(self.state), *args], self.root, check=None)

    def status(self, stack: str) -> str | None:
        """The stack's status as `describe --output json` reports it; None when there is none."""
        import json

        proc = self.run("--output", "json", "describe", stack)
        if proc.returncode != 0:
            return None
        data = json.loads(proc.stdout)
        return data.get("StackStatus") or data.get("Status")
